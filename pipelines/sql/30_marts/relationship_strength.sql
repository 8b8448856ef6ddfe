-- Relationship strength as of any moment t (METRICS.md "Strength"): a decayed sum of weighted
-- interactions, scaled by reciprocity and by how many channels the tie uses, shown 0-100.
-- `events` names the interactions relation to read: the public view, or a snapshot of it.
create or replace macro strength_at(t, events := 'interactions') as table
with events as (
    select
        person_id, channel, direction, is_direct,
        if(metric('use_group_weighting') = 1, weight, undiscounted_weight) as weight,
        date_diff('second', occurred_at, t::timestamptz) / 86400.0 as age_days
    from query_table(events)
    where counts_toward_score and occurred_at < t::timestamptz
),

per_person as (
    select
        person_id,
        sum(weight * pow(2, -age_days / metric('half_life_days'))) as decayed_sum,
        sum(weight * pow(2, -age_days / 30)) as decayed_sum_30,
        sum(weight * pow(2, -age_days / 180)) as decayed_sum_180,
        count(*) filter (where is_direct and direction = 'out' and age_days <= 365) as messages_out,
        count(*) filter (where is_direct and direction = 'in' and age_days <= 365) as messages_in,
        count(distinct channel) filter (where channel <> 'linkedin_connection' and weight > 0 and age_days <= 365)
            as channels
    from events
    group by person_id
),

scored as (
    select
        *,
        if(metric('use_reciprocity') = 0 or messages_out + messages_in = 0, 1.0,
           0.5 + 0.5 * 2 * least(messages_out, messages_in) / (messages_out + messages_in)) as reciprocity,
        greatest(channels, 1) as channel_count
    from per_person
),

raw as (
    select
        *,
        reciprocity * decayed_sum * (1 + metric('multiplexity_bonus') * (channel_count - 1)) as raw_score,
        reciprocity * decayed_sum_180 * (1 + metric('multiplexity_bonus') * (channel_count - 1)) as raw_score_180
    from scored
),

ranked as (
    select
        *,
        100 * least(1, ln(1 + raw_score) / ln(1 + metric('strength_saturation'))) as strength,
        100 * least(1, ln(1 + raw_score_180) / ln(1 + metric('strength_saturation'))) as strength_180,
        row_number() over (order by raw_score desc, person_id) as rank
    from raw
),

tiered as (
    select
        r.*,
        case
            when rank <= metric('tier_inner') then 'Inner'
            when rank <= metric('tier_close') or p.person_id is not null then 'Close'  -- pinned: at least Close
            when rank <= metric('tier_active') then 'Active'
            when rank <= metric('tier_network') then 'Network'
            else 'Peripheral'
        end as tier
    from ranked as r
    left join (select distinct person_id from pinned_people) as p using (person_id)
)

select
    person_id, t::timestamptz as as_of, strength, tier, rank, raw_score, decayed_sum, reciprocity,
    channel_count as channels, messages_out, messages_in, strength_180,
    ln((decayed_sum_30 / 30 + 1e-3) / (decayed_sum_180 / 180 + 1e-3)) as momentum
from tiered;

create or replace view relationship_strength as
with now_ as (
    select * from strength_at(as_of())
),

before as (
    select person_id, strength from strength_at(as_of() - to_days(metric('trend_days')::integer))
),

trended as (
    select
        n.*,
        n.strength - coalesce(b.strength, 0) as trend,
        case
            when n.strength - coalesce(b.strength, 0) >= metric('warming_trend') and n.momentum >= ln(1.5)
                then 'warming'
            when (n.strength - coalesce(b.strength, 0) <= -metric('warming_trend') or n.momentum <= ln(0.5))
                 and n.strength_180 >= metric('follow_up_min_strength')
                then 'cooling'
        end as direction
    from now_ as n
    left join before as b using (person_id)
)

select * from trended;
