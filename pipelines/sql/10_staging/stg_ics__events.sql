-- Calendar occurrences from .ics exports, with their length and headcount as invited.
create or replace view stg_ics__events as
select * from stg_calendar_events('raw_ics__events');
