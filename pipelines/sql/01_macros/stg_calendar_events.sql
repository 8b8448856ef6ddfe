-- The occurrences of a raw calendar table, as every calendar source's staging view gives them: with
-- their length and headcount as invited, the status in lower case ('confirmed', 'tentative',
-- 'cancelled'). Every other column passes through.
create or replace macro stg_calendar_events(raw) as table
select
    * exclude (_loaded_at)
      replace (lower(status) as status)
      rename (_origin as origin, _run_id as run_id),
    date_diff('minute', start_at, end_at) as duration_minutes,
    coalesce(status = 'CANCELLED', false) as is_cancelled,
    len(attendees) as attendee_count
from query_table(raw);
