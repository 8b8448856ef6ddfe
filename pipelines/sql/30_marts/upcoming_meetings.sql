-- Meetings in the 7 days after as_of() that you attend, one row per person in them, with how long
-- it has been since you last met or wrote to each other (for the report's "Coming up"): a
-- conversation, which a LinkedIn connection alone is not.
create or replace view upcoming_meetings as
with profiles as (
    select person_id, full_name, company, primary_email from int_person_profiles
),

owner_keys as (
    select identity_key from identities where role = 'owner'
),

events as (
    select * from int_calendar_events
    where not is_cancelled and not is_all_day
      and start_at >= as_of() and start_at < days_after(as_of(), 7)
),

parties as (
    select e.event_key, e.start_at, e.summary, e.duration_minutes, a.email, coalesce(a.partstat, 'NEEDS-ACTION') as partstat
    from events as e, lateral (select e.organizer.email as email, 'ACCEPTED' as partstat
                               union all select x.email, x.partstat from (select unnest(e.attendees) as x)) as a
),

attended as (  -- meetings you organise or were invited to and did not decline
    select event_key from parties
    group by event_key
    having bool_or('email:' || email_key(email) in (select identity_key from owner_keys))
       and not bool_or('email:' || email_key(email) in (select identity_key from owner_keys) and partstat = 'DECLINED')
),

people_in as (
    select distinct p.event_key, p.start_at, p.summary, p.duration_minutes, i.person_id
    from parties as p
    join identities as i on i.identity_key = 'email:' || email_key(p.email) and i.role = 'person'
    where p.event_key in (select event_key from attended) and p.partstat <> 'DECLINED'
),

last_seen as (
    select person_id, max(occurred_at) as last_conversation_at
    from interactions
    where weight > 0 and channel in ('email', 'meeting', 'linkedin_message')
    group by person_id
),

headcounts as (
    select event_key, count(*) + 1 as headcount from people_in group by event_key
),

final as (
    select
        m.person_id,
        p.full_name,
        p.company,
        p.primary_email,
        m.event_key,
        m.start_at,
        m.summary,
        m.duration_minutes,
        h.headcount,
        l.last_conversation_at,
        date_diff('day', local_day(l.last_conversation_at), local_day(as_of())) as days_since_conversation
    from people_in as m
    join headcounts as h using (event_key)
    left join last_seen as l using (person_id)
    left join profiles as p using (person_id)
)

select * from final order by start_at;
