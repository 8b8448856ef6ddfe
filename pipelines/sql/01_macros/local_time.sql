-- A moment (timestamptz) as the owner's wall-clock time (a naive timestamp).
create or replace macro local_time(t) as (timezone(owner_tz(), t::timestamptz));
