-- An occurrence's natural key, the same in every calendar source: the iCalendar UID, plus '@' and
-- the UTC recurrence id for an occurrence of a series.
create or replace macro calendar_event_key(uid, recurrence_id) as (
    uid || coalesce('@' || strftime(recurrence_id at time zone 'UTC', '%Y%m%dT%H%M%SZ'), '')
);
