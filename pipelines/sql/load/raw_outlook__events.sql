-- Upsert occurrences: the calendar's delta sends an event again whenever it changed; the API is the
-- truth, so a changed version replaces the stored one.
merge into raw_outlook__events as t
using (
    with keyed as (
        select *, calendar_event_key(uid, recurrence_id) as event_key
        from batch
    )
    select distinct on (event_key) * exclude (_ordinal) from keyed order by event_key, _ordinal desc
) as s
on t.event_key = s.event_key
when matched and (t.summary, t.start_at, t.end_at, t.is_all_day, t.timezone, t.status, t.organizer, t.attendees,
                  t.last_modified, t._origin)
        is distinct from (s.summary, s.start_at, s.end_at, s.is_all_day, s.timezone, s.status, s.organizer,
                          s.attendees, s.last_modified, s._origin)
    then update set uid = s.uid, recurrence_id = s.recurrence_id, calendar = s.calendar, summary = s.summary,
                    start_at = s.start_at, end_at = s.end_at, is_all_day = s.is_all_day,
                    timezone = s.timezone, status = s.status, organizer = s.organizer,
                    attendees = s.attendees, sequence = s.sequence, last_modified = s.last_modified,
                    _origin = s._origin, _run_id = s._run_id, _loaded_at = s._loaded_at
when not matched then insert by name
returning merge_action;
