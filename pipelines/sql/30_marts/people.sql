-- One row per person (the owner excluded): who they are across every source, and when you last met.
create or replace view people as
with profiles as (
    select * from int_person_profiles
),

identities as (
    select * from main.identities where role = 'person'
),

interactions as (  -- appearances that were real contact: not automated mail, not cancelled or future meetings
    select s.identity_key, s.occurred_at
    from int_identity_sightings as s
    left join int_calendar_events as e on s.source = 'ics' and e.event_key = s.ref
    where not s.is_automated
      and s.occurred_at < as_of()
      and not coalesce(e.is_cancelled, false)
      and s.role not in ('attendee:declined')
),

contact as (
    select i.person_id, min(x.occurred_at) as first_interaction, max(x.occurred_at) as last_interaction
    from identities as i join interactions as x using (identity_key)
    group by i.person_id
),

joined as (
    select
        p.person_id,
        p.full_name,
        p.company,
        p.primary_email,
        p.emails,
        p.position,
        p.linkedin_url,
        p.connected_on,
        c.first_interaction,
        c.last_interaction,
        p.is_pinned_close,
        p.identity_keys
    from profiles as p
    left join contact as c using (person_id)
)

select * from joined;
