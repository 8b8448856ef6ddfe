-- Per person and cut: counts of contact days in windows before the cut, recency, cadence, and the
-- decayed sums of docs/metrics.md (half-lives 30, 90, 180, 365 days and `half_life_days`), from the
-- relation named by `contact_days` (shaped like int_contact_days). Everybody with any contact before
-- the cut has a row; what lies more than two years back is not read.
create or replace macro tie_features(cuts, contact_days := 'int_contact_days') as table
with days as (  -- [metrics] use_group_weighting = 0 scores without the group discounts
    select * replace (case when metric('use_group_weighting') = 1 then score_weight
                           else undiscounted_score_weight end as score_weight)
    from query_table(contact_days)
),

cut_list as (
    select distinct unnest(cuts)::timestamptz as cut_at
),

known as (  -- everybody with any contact before the cut, however long ago
    select c.cut_at, p.person_id
    from cut_list as c
    join (select person_id, min(first_at) as first_at from days group by person_id) as p on p.first_at < c.cut_at
),

windowed as (
    select c.cut_at, d.*, (epoch(c.cut_at) - epoch(d.first_at)) / 86400.0 as age
    from cut_list as c
    join days as d on d.first_at < c.cut_at and d.first_at >= days_after(c.cut_at, -730)
),

counted as (
    select
        person_id,
        cut_at,
        sum(interactions) filter (where age <= 30) as interactions_30,
        sum(interactions) filter (where age <= 365) as interactions_365,
        count(*) filter (where age <= 30) as contact_days_30,
        count(*) filter (where age <= 90) as contact_days_90,
        count(*) filter (where age <= 180) as contact_days_180,
        count(*) filter (where age <= 365) as contact_days_365,
        count(*) filter (where is_direct_contact and age <= 30) as direct_days_30,
        count(*) filter (where is_direct_contact and age <= 90) as direct_days_90,
        count(*) filter (where is_direct_contact and age <= 365) as direct_days_365,
        count(*) filter (where (is_direct_contact or is_meeting) and age <= 180) as active_days_180,
        count(*) filter (where is_meeting and age <= 365) as meeting_days_365,
        count(*) filter (where is_one_on_one and age <= 365) as one_on_one_days_365,
        count(*) filter (where is_linkedin and age <= 365) as linkedin_days_365,
        count(*) filter (where not is_direct_contact and age <= 365) as group_only_days_365,
        coalesce(sum(direct_out) filter (where age <= 365), 0) as messages_out_365,
        coalesce(sum(direct_in) filter (where age <= 365), 0) as messages_in_365,
        max(last_at) as last_contact_at,
        min(epoch(cut_at) - epoch(last_at)) / 86400.0 as days_since_contact,
        min(epoch(cut_at) - epoch(last_at)) filter (where is_direct_contact) / 86400.0 as days_since_direct,
        max(age) as days_known,
        median(direct_gap_days) filter (where age <= 365) as median_gap_days,
        count(direct_gap_days) filter (where age <= 365) as gap_count,
        bool_or(is_email and age <= 365)::int + bool_or(is_meeting and age <= 365)::int
            + bool_or(is_linkedin and age <= 365)::int as channels,
        sum(score_weight * pow(2, -age / 30) order by first_at, person_id) as decayed_30,
        sum(score_weight * pow(2, -age / 90) order by first_at, person_id) as decayed_90,
        sum(score_weight * pow(2, -age / 180) order by first_at, person_id) as decayed_180,
        sum(score_weight * pow(2, -age / 365) order by first_at, person_id) as decayed_365,
        sum(score_weight * pow(2, -age / metric('half_life_days')) order by first_at, person_id) as decayed_sum
    from windowed
    group by person_id, cut_at
),

features as (
    select
        k.person_id,
        k.cut_at,
        coalesce(c.interactions_30, 0) as interactions_30,
        coalesce(c.interactions_365, 0) as interactions_365,
        coalesce(c.contact_days_30, 0) as contact_days_30,
        coalesce(c.contact_days_90, 0) as contact_days_90,
        coalesce(c.contact_days_180, 0) as contact_days_180,
        coalesce(c.contact_days_365, 0) as contact_days_365,
        coalesce(c.direct_days_30, 0) as direct_days_30,
        coalesce(c.direct_days_90, 0) as direct_days_90,
        coalesce(c.direct_days_365, 0) as direct_days_365,
        coalesce(c.active_days_180, 0) as active_days_180,
        coalesce(c.meeting_days_365, 0) as meeting_days_365,
        coalesce(c.one_on_one_days_365, 0) as one_on_one_days_365,
        coalesce(c.linkedin_days_365, 0) as linkedin_days_365,
        coalesce(c.group_only_days_365, 0) as group_only_days_365,
        coalesce(c.messages_out_365, 0) as messages_out_365,
        coalesce(c.messages_in_365, 0) as messages_in_365,
        c.last_contact_at,
        coalesce(c.days_since_contact, 730) as days_since_contact,
        coalesce(c.days_since_direct, 730) as days_since_direct,
        coalesce(c.days_known, 730) as days_known,
        c.median_gap_days,
        coalesce(c.gap_count, 0) as gap_count,
        coalesce(c.channels, 0) as channels,
        coalesce(c.decayed_30, 0) as decayed_30,
        coalesce(c.decayed_90, 0) as decayed_90,
        coalesce(c.decayed_180, 0) as decayed_180,
        coalesce(c.decayed_365, 0) as decayed_365,
        coalesce(c.decayed_sum, 0) as decayed_sum
    from known as k
    left join counted as c using (person_id, cut_at)
),

published as (  -- docs/metrics.md's published score R = rho * S * (1 + 0.1 (k - 1))
    select
        *,
        case when metric('use_reciprocity') = 0 or messages_out_365 + messages_in_365 = 0 then 1.0
             else 0.5 + 0.5 * 2 * least(messages_out_365, messages_in_365) / (messages_out_365 + messages_in_365)
        end as reciprocity
    from features
)

select
    *,
    reciprocity * decayed_sum * (1 + metric('multiplexity_bonus') * (greatest(channels, 1) - 1)) as published_score
from published;
