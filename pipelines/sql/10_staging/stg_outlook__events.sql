-- Calendar occurrences from the Outlook calendar (Microsoft Graph), with their length and headcount as invited.
create or replace view stg_outlook__events as
select * from stg_calendar_events('raw_outlook__events');
