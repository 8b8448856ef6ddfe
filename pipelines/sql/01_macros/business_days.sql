-- Business-day arithmetic: time that passes on Saturdays and Sundays does not count (holidays do).

-- Weekday seconds from Monday 1970-01-05 to the wall-clock time `t`: five days a week, and a
-- weekend adds nothing. Differences of it are business time elapsed.
create or replace macro business_seconds(t) as (
    date_diff('day', timestamp '1970-01-05', date_trunc('week', t)) // 7 * 5 * 86400
    + least(date_diff('second', date_trunc('week', t), t), 5 * 86400)
);

-- Business days (Mon-Fri, fractional) from `start_at` to `end_at` (timestamptz), on the calendar of
-- time zone `tz`: from Friday 17:00 to Monday 09:00 is 7/24 + 9/24 of a day.
create or replace macro business_days(start_at, end_at, tz := 'UTC') as (
    (business_seconds(timezone(tz, end_at)) - business_seconds(timezone(tz, start_at))) / 86400
);
