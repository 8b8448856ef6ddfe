-- Business-day arithmetic: time that passes on Saturdays and Sundays does not count (holidays do).

-- Weekday seconds from Monday 1970-01-05 to the wall-clock time `t`: five days a week, and a
-- weekend adds nothing. Differences of it are business time elapsed.
create or replace macro business_seconds(t) as (
    date_diff('day', timestamp '1970-01-05', date_trunc('week', t)) // 7 * 5 * 86400
    + least(date_diff('second', date_trunc('week', t), t), 5 * 86400)
);
