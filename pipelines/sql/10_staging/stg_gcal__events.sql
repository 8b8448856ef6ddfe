-- Calendar occurrences from the Google Calendar API, with their length and headcount as invited.
create or replace view stg_gcal__events as
select * from stg_calendar_events('raw_gcal__events');
