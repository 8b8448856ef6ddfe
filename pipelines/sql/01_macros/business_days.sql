-- Business days (Mon-Fri, fractional) from `start_at` to `end_at` (timestamptz), on the calendar of
-- time zone `tz`: from Friday 17:00 to Monday 09:00 is 7/24 + 9/24 of a day.
create or replace macro business_days(start_at, end_at, tz := 'UTC') as (
    (business_seconds(timezone(tz, end_at)) - business_seconds(timezone(tz, start_at))) / 86400
);
