-- The time every metric is computed as of: now, or a past moment set with
-- `set variable as_of = timestamptz '...'` (tiekeeper's --as-of). Only data before it is used.
create or replace macro as_of() as (coalesce(getvariable('as_of')::timestamptz, now()));
