-- Occurrences of the Outlook calendar (calendarView: series come as their occurrences and exceptions).
create table if not exists raw_outlook__events (
    event_key  varchar primary key,   -- uid, plus '@' and the UTC recurrence id for occurrences
    {{ columns_of('CalendarEvent') }}
);
