-- Calendar occurrences from the Outlook calendar (Microsoft Graph), with their length and headcount as invited.
create or replace view stg_outlook__events as
with source as (
    select * from raw_outlook__events
),

renamed as (
    select
        event_key,
        uid,
        recurrence_id,
        calendar,
        summary,
        start_at,
        end_at,
        date_diff('minute', start_at, end_at) as duration_minutes,
        is_all_day,
        timezone,
        lower(status) as status,   -- 'confirmed', 'tentative', 'cancelled'
        coalesce(status = 'CANCELLED', false) as is_cancelled,
        organizer,
        attendees,
        len(attendees) as attendee_count,
        sequence,
        last_modified,
        _origin as origin,
        _run_id as run_id
    from source
)

select * from renamed;
