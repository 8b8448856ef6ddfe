-- Everyone's strength as of as_of() (docs/metrics.md "Strength"): the expected number of days with
-- direct contact in the next 90 days, learned from the owner's own history where it supports it,
-- else docs/metrics.md's published formula; shown 0-100 on a log scale, tiered by rank with floors, with
-- the trend over `trend_days` and whether the tie is warming or cooling. Figures keep full precision:
-- the backtest, the report's order and `companies` compute from them (the overview view rounds them).
create or replace view relationship_strength as
with profiles as (
    select person_id, full_name, company, primary_email from int_person_profiles
),

scores as (
    select * from tie_scores()
),

now_ as (
    select * from scores where cut_at = as_of()
),

earlier as (
    select person_id, strength as strength_then from scores where cut_at < as_of()
),

trended as (
    select
        n.*,
        n.strength - coalesce(e.strength_then, 0) as trend,
        coalesce(e.strength_then, 0) as strength_then,
        ln((n.decayed_30 / 30 + 1e-3) / (n.decayed_180 / 180 + 1e-3)) as momentum
    from now_ as n
    left join earlier as e using (person_id)
),

directed as (
    select
        *,
        case
            when trend >= metric('warming_trend') and momentum >= ln(1.5) then 'warming'
            when (trend <= -metric('warming_trend') or momentum <= ln(0.5))
                 and greatest(strength, strength_then) >= metric('follow_up_min_strength') then 'cooling'
        end as direction
    from trended
),

final as (
    select
        d.person_id,
        p.full_name,
        p.company,
        p.primary_email,
        cut_at as as_of,
        strength,
        tier,
        rank,
        expected_contact_days,
        trend,
        direction,
        case when is_strength_learned then 'learned' else 'published' end as method,
        published_score,
        decayed_sum,
        reciprocity,
        greatest(channels, 1) as channels,
        messages_out_365 as messages_out,
        messages_in_365 as messages_in,
        momentum
    from directed as d
    left join profiles as p using (person_id)
)

select * from final;
