-- Calendar occurrences from .ics files: recurring series expanded, one row per (UID, RECURRENCE-ID).
create table if not exists raw_ics__events (
    event_key  varchar primary key,   -- uid, plus '@' and the UTC recurrence id for instances
    {{ columns_of('CalendarEvent') }}
);
