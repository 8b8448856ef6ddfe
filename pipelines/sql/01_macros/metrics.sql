-- The time every metric is computed as of: now, or a past moment set with
-- `set variable as_of = timestamptz '...'` (tiekeeper's --as-of). Only data before it is used.
create or replace macro as_of() as (coalesce(getvariable('as_of')::timestamptz, now()));

-- A metric constant from [metrics] in tiekeeper.toml (defaults in pipelines/metrics.py).
create or replace macro metric(name) as ((select value from metric_settings where key = name));
