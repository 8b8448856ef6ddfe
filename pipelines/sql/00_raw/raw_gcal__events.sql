-- Calendar occurrences from the Google Calendar API (singleEvents): one row per (iCalUID, instance).
create table if not exists raw_gcal__events (
    event_key  varchar primary key,   -- uid, plus '@' and the UTC recurrence id for instances
    {{ columns_of('CalendarEvent') }}
);
