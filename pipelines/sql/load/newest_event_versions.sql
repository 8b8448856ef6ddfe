-- loads raw_gcal__events, raw_ics__events: sources whose copies of an event say which is newer.
-- Upsert occurrences: a newer version of an event (higher SEQUENCE, later LAST-MODIFIED) replaces
-- the stored one, so a moved or cancelled meeting in a later export is updated, not duplicated.
merge into {{ this }} as t
using (
    with keyed as (
        select *, calendar_event_key(uid, recurrence_id) as event_key
        from batch
    )
    -- within one batch the newest version of an occurrence wins
    select distinct on (event_key) * exclude (_ordinal) from keyed
    order by event_key, sequence desc, last_modified desc nulls last, _ordinal
) as s
on t.event_key = s.event_key
when matched and (s.sequence, coalesce(s.last_modified, timestamptz 'epoch'))
               > (t.sequence, coalesce(t.last_modified, timestamptz 'epoch'))
    then update set calendar = s.calendar, summary = s.summary, start_at = s.start_at, end_at = s.end_at,
                    is_all_day = s.is_all_day, timezone = s.timezone, status = s.status,
                    organizer = s.organizer, attendees = s.attendees, sequence = s.sequence,
                    last_modified = s.last_modified, _origin = s._origin, _run_id = s._run_id,
                    _loaded_at = s._loaded_at
when not matched then insert by name
returning merge_action;
