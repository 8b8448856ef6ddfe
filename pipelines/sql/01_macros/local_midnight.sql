-- Midnight at the start of the owner's day `d` (a date), as a moment.
create or replace macro local_midnight(d) as (timezone(owner_tz(), d::date::timestamp));
