-- Relationship strength as of any moment t (docs/metrics.md "Strength"): a decayed sum of weighted
-- interactions, scaled by reciprocity and by how many channels the tie uses, shown 0-100.
-- `events` names the interactions relation to read (the public view, or a snapshot of it).
-- `earlier` also scores the tie that many days before t, in the same pass: a decayed sum then is
-- the decayed sum now of the older events, scaled back up by 2^(earlier / H).
create or replace macro strength_at(t, events := 'interactions', earlier := 0) as table
with events as (
    select
        person_id, channel, direction, is_direct, weight, age_days,
        weight * pow(2, -age_days / metric('half_life_days')) as decayed
    from (
        select
            person_id, channel, direction, is_direct,
            case when metric('use_group_weighting') = 1 then weight else undiscounted_weight end as weight,
            (epoch(t::timestamptz) - epoch(occurred_at)) / 86400.0 as age_days
        from query_table(events)
        where counts_toward_score and occurred_at < t::timestamptz
    )
),

per_person as (
    select
        person_id,
        sum(decayed) as decayed_sum,
        sum(weight * pow(2, -age_days / 30)) as decayed_sum_30,
        sum(weight * pow(2, -age_days / 180)) as decayed_sum_180,
        count(*) filter (where is_direct and direction = 'out' and age_days <= 365) as messages_out,
        count(*) filter (where is_direct and direction = 'in' and age_days <= 365) as messages_in,
        -- channel families used (e-mail, meetings, LinkedIn messages): flags, cheaper than count(distinct)
        bool_or(channel = 'email' and weight > 0 and age_days <= 365)::int
            + bool_or(channel = 'meeting' and weight > 0 and age_days <= 365)::int
            + bool_or(channel = 'linkedin_message' and weight > 0 and age_days <= 365)::int as channels,
        -- the same, `earlier` days before t
        pow(2, earlier / metric('half_life_days')) * coalesce(sum(decayed) filter (where age_days > earlier), 0)
            as decayed_sum_then,
        count(*) filter (where is_direct and direction = 'out' and age_days > earlier and age_days <= 365 + earlier)
            as messages_out_then,
        count(*) filter (where is_direct and direction = 'in' and age_days > earlier and age_days <= 365 + earlier)
            as messages_in_then,
        bool_or(channel = 'email' and weight > 0 and age_days > earlier and age_days <= 365 + earlier)::int
            + bool_or(channel = 'meeting' and weight > 0 and age_days > earlier and age_days <= 365 + earlier)::int
            + bool_or(channel = 'linkedin_message' and weight > 0 and age_days > earlier
                      and age_days <= 365 + earlier)::int as channels_then
    from events
    group by person_id
),

scored as (
    select
        *,
        case when metric('use_reciprocity') = 0 or messages_out + messages_in = 0 then 1.0
             else 0.5 + 0.5 * 2 * least(messages_out, messages_in) / (messages_out + messages_in) end as reciprocity,
        case when metric('use_reciprocity') = 0 or messages_out_then + messages_in_then = 0 then 1.0
             else 0.5 + 0.5 * 2 * least(messages_out_then, messages_in_then) / (messages_out_then + messages_in_then)
        end as reciprocity_then,
        greatest(channels, 1) as channel_count,
        1 + metric('multiplexity_bonus') * (greatest(channels, 1) - 1) as multiplexity,
        1 + metric('multiplexity_bonus') * (greatest(channels_then, 1) - 1) as multiplexity_then
    from per_person
),

raw as (
    select
        *,
        reciprocity * decayed_sum * multiplexity as raw_score,
        reciprocity * decayed_sum_180 * multiplexity as raw_score_180,
        reciprocity_then * decayed_sum_then * multiplexity_then as raw_score_then
    from scored
),

ranked as (
    select
        *,
        100 * least(1, ln(1 + raw_score) / ln(1 + metric('strength_saturation'))) as strength,
        100 * least(1, ln(1 + raw_score_180) / ln(1 + metric('strength_saturation'))) as strength_180,
        100 * least(1, ln(1 + raw_score_then) / ln(1 + metric('strength_saturation'))) as strength_then,
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
    channel_count as channels, messages_out, messages_in, strength_180, strength_then,
    ln((decayed_sum_30 / 30 + 1e-3) / (decayed_sum_180 / 180 + 1e-3)) as momentum
from tiered;

-- Everyone's strength as of as_of(), with the trend over `trend_days` and whether the tie is
-- warming or cooling (docs/metrics.md "Trend and growth").
create or replace view relationship_strength as
with scored as (
    select * exclude (strength_then), strength - strength_then as trend
    from strength_at(as_of(), earlier := metric('trend_days'))
),

directed as (
    select
        *,
        case
            when trend >= metric('warming_trend') and momentum >= ln(1.5) then 'warming'
            when (trend <= -metric('warming_trend') or momentum <= ln(0.5))
                 and strength_180 >= metric('follow_up_min_strength') then 'cooling'
        end as direction
    from scored
)

select * from directed;
