-- One row per person (the owner excluded), for reading: who they are, how strong the tie is and
-- where it is going, when you were last in touch, and the next step, strongest first. Figures are
-- rounded for display; relationship_strength and cadence have them exact.
create or replace view people_overview as
with profiles as (
    select person_id, full_name, company, primary_email from int_person_profiles
),

strength as (
    select person_id, tier, strength, trend from relationship_strength
),

last_contact as (  -- the last interaction that counts (weight > 0), as in cadence.last_contact_at
    select person_id, max(occurred_at) as last_contact_at
    from interactions
    where weight > 0
    group by person_id
),

replies_owed as (  -- the reply you have owed them longest
    select person_id, arg_min(coalesce(subject, '(no subject)'), (since, thread_ref)) as subject
    from awaiting_reply
    where waiting_on = 'me'
    group by person_id
),

meetings as (  -- your next meeting with them in the coming 7 days
    select person_id, min(start_at) as start_at
    from upcoming_meetings
    group by person_id
),

due as (
    select person_id, reason from follow_ups
),

final as (
    select
        p.person_id,
        p.full_name,
        p.company,
        p.primary_email,
        s.tier,
        round(s.strength, 1) as strength,
        round(s.trend, 1) as trend,
        c.last_contact_at,
        round((epoch(as_of()) - epoch(c.last_contact_at)) / 86400.0, 1) as days_since_contact,
        -- a reply owed comes first; a meeting already planned makes a follow-up moot
        case
            when r.subject is not null then 'reply: ' || r.subject
            when m.start_at is not null then 'meeting ' || strftime(local_day(m.start_at), '%Y-%m-%d')
            else d.reason
        end as next_step
    from profiles as p
    left join strength as s using (person_id)
    left join last_contact as c using (person_id)
    left join replies_owed as r using (person_id)
    left join meetings as m using (person_id)
    left join due as d using (person_id)
    order by s.strength desc nulls last, p.full_name, p.person_id
)

select * from final;
