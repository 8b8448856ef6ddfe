-- The network per ISO week: connections made, people met for the first time, people active
-- (>= 2 real exchanges in the 4 weeks to the week's end), strong ties (from strength_history).
create or replace view network_growth as
with weeks as (
    select unnest(generate_series(date_trunc('week', local_day(as_of()) - interval 52 weeks),
                                  date_trunc('week', local_day(as_of())), interval 1 week))::date as week
),

activity_windows as (  -- the 4 weeks to each week's end, as moments: computed once, not for every event
    select week, local_midnight(week - 21) as starts_at, local_midnight(week + 7) as ends_at from weeks
),

events as (
    select person_id, occurred_at, direction, weight from interactions
),

connected as (
    select date_trunc('week', connected_on)::date as week, count(*) as new_connections
    from stg_linkedin__connections
    where local_midnight(connected_on) < as_of()
    group by all
),

first_met as (  -- the first reciprocated contact: a meeting, or an exchange in both directions
    select person_id, min(occurred_at) as met_at
    from (
        select person_id, occurred_at from events where direction = 'both' and weight > 0
        union all
        select person_id, greatest(min(occurred_at) filter (where direction = 'in'),
                                   min(occurred_at) filter (where direction = 'out'))
        from events where weight > 0 group by person_id
    )
    where occurred_at is not null
    group by person_id
),

met as (
    select date_trunc('week', local_day(met_at))::date as week, count(*) as new_people_met from first_met group by all
),

active_people as (
    select w.week, count(*) as active_people
    from activity_windows as w,
         lateral (select person_id from events as e
                  where e.occurred_at < w.ends_at and e.occurred_at >= w.starts_at
                    and e.weight >= metric('active_weight')
                  group by person_id having count(*) >= 2)
    group by w.week
),

strong as (
    select week, count(*) filter (where strength >= metric('strong_tie_strength')) as strong_ties
    from strength_history group by week
),

final as (
    select
        w.week,
        strftime(w.week, '%G-W%V') as iso_week,
        coalesce(c.new_connections, 0) as new_connections,
        coalesce(m.new_people_met, 0) as new_people_met,
        coalesce(a.active_people, 0) as active_people,
        s.strong_ties
    from weeks as w
    left join connected as c using (week)
    left join met as m using (week)
    left join active_people as a using (week)
    left join strong as s using (week)
)

select * from final order by week;
