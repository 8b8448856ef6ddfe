-- Every person's cadence (docs/metrics.md "Cadence and follow-up"): the gap they usually have with you,
-- their own median gap shrunk toward their tier's cadence, and how long they have been silent.
create or replace view cadence as
with strength as (
    select * from relationship_strength
),

active_days as (  -- days with a real exchange (weight >= active_weight) in the last 365 days
    select distinct person_id, date_trunc('day', occurred_at) as day
    from interactions
    where weight >= metric('active_weight') and occurred_at >= as_of() - interval 365 days
),

gaps as (
    select person_id, day, date_diff('day', lag(day) over (partition by person_id order by day), day) as gap
    from active_days
),

cadence as (
    select person_id, max(day) as last_active_day, count(gap) as gap_count, median(gap) as median_gap
    from gaps
    group by person_id
),

shrunk as (
    select
        c.*,
        s.strength,
        s.tier,
        s.direction as trend_direction,
        case s.tier when 'Inner' then metric('prior_gap_inner') when 'Close' then metric('prior_gap_close')
                    when 'Active' then metric('prior_gap_active') when 'Network' then metric('prior_gap_network')
                    else metric('prior_gap_peripheral') end as prior_gap
    from cadence as c
    join strength as s using (person_id)
),

scored as (
    select
        person_id,
        strength,
        tier,
        last_active_day as last_interaction,
        greatest(metric('min_gap_days'), least(metric('max_gap_days'),
            (gap_count * coalesce(median_gap, 0) + metric('prior_pseudo_gaps') * prior_gap)
            / (gap_count + metric('prior_pseudo_gaps')))) as usual_gap_days,
        date_diff('second', last_active_day, as_of()) / 86400.0 as days_since,
        gap_count,
        median_gap,
        -- follow-ups are only suggested for ties that matter
        strength >= metric('follow_up_min_strength') or tier in ('Inner', 'Close', 'Active') as is_eligible
    from shrunk
),

due as (
    select
        person_id,
        last_interaction,
        round(days_since, 1) as days_since,
        round(usual_gap_days, 1) as usual_gap_days,
        round(days_since - usual_gap_days, 1) as overdue_days,
        round(days_since / usual_gap_days, 2) as overdue_ratio,
        case
            when days_since / usual_gap_days >= metric('lapsed_ratio') then 'likely lapsed'
            when days_since / usual_gap_days >= metric('fading_ratio') then 'fading'
            when days_since / usual_gap_days >= metric('follow_up_ratio') then 'follow up'
        end as reason,
        strength,
        tier,
        gap_count,
        median_gap,
        is_eligible
    from scored
)

select * from due;

-- People due for a follow-up: ties that matter, silent for at least twice their usual gap.
create or replace view follow_ups as
select * exclude (is_eligible) from cadence where is_eligible and reason is not null;
