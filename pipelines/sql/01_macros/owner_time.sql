-- Days, weeks and hours are the owner's ([owner] timezone), whatever the TimeZone of the session
-- that queries: the same database and as-of time give the same rows in Tokyo and in Berlin.
create or replace macro owner_tz() as (coalesce((select any_value(timezone) from owner_settings), 'UTC'));

-- A moment (timestamptz) as the owner's wall-clock time (a naive timestamp), and its date.
create or replace macro local_time(t) as (timezone(owner_tz(), t::timestamptz));
create or replace macro local_day(t) as (timezone(owner_tz(), t::timestamptz)::date);

-- Midnight at the start of the owner's day `d` (a date), as a moment.
create or replace macro local_midnight(d) as (timezone(owner_tz(), d::date::timestamp));

-- The moment `n` days after `t` (before, for a negative n) on the owner's calendar: across a change
-- to or from summer time a day has 23 or 25 hours, as the owner lives it, whatever the session's.
create or replace macro days_after(t, n) as (timezone(owner_tz(), local_time(t) + to_days(n::integer)));
