-- The moment `n` days after `t` (before, for a negative n) on the owner's calendar: across a change
-- to or from summer time a day has 23 or 25 hours, as the owner lives it, whatever the session's.
create or replace macro days_after(t, n) as (timezone(owner_tz(), local_time(t) + to_days(n::integer)));
