-- Every calendar occurrence once, from .ics exports and the Google Calendar API together: the same
-- event (iCalUID and occurrence) in both is one event, its newest version winning.
create or replace view int_calendar_events as
with unioned as (
    select *, 'ics' as source from stg_ics__events
    union all by name
    select *, 'gcal' as source from stg_gcal__events
),

deduplicated as (
    select *
    from unioned
    qualify row_number() over (
        partition by event_key
        order by sequence desc, last_modified desc nulls last, source = 'gcal' desc) = 1
)

select * from deduplicated;
