-- The owner's date of a moment (timestamptz).
create or replace macro local_day(t) as (timezone(owner_tz(), t::timestamptz)::date);
