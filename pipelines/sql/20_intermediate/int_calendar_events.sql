-- Every calendar occurrence once, from .ics exports, the Google Calendar API and the Outlook calendar
-- together: the same event (iCalUID and occurrence) in several is one event, its newest version winning.
create or replace view int_calendar_events as
with unioned as (
    select *, 'ics' as source from stg_ics__events
    union all by name
    select *, 'gcal' as source from stg_gcal__events
    union all by name
    select *, 'outlook' as source from stg_outlook__events
),

deduplicated as (
    select *
    from unioned
    qualify row_number() over (
        partition by event_key
        order by sequence desc, last_modified desc nulls last, source = 'ics', source) = 1  -- an API's copy first
)

select * from deduplicated;
