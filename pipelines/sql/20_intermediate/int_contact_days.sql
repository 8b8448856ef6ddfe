-- One row per person and owner-local day with any contact (an interaction of weight > 0): what kind
-- of contact it was, the day's score weights (docs/metrics.md's weights, one event per person,
-- channel, direction and day; with and without the group discounts, which `use_group_weighting`
-- chooses between when read) and the days since the previous day of direct contact. What the
-- owner's history says about each tie at any moment (tie_features, tie_outcomes) is read from here.
-- Materialised: a table every writing run rebuilds (warehouse.refresh_tables); every cut the models
-- learn from reads it, where recomputing it took most of each cut's time (1.6 s of 1.9 s at a
-- million messages).
create or replace table int_contact_days as
with events as (
    select person_id, occurred_at, channel, direction, is_direct, group_size, counts_toward_score, weight,
           undiscounted_weight
    from int_interactions
    where weight > 0
),

days as (
    select
        person_id,
        local_day(occurred_at) as day,
        min(occurred_at) as first_at,
        max(occurred_at) as last_at,
        count(*) as interactions,
        -- direct contact: a message with at most 4 recipients, or a meeting of at most 10 people
        bool_or(is_direct or (channel = 'meeting' and group_size <= 10)) as is_direct_contact,
        bool_or(channel = 'meeting') as is_meeting,
        bool_or(channel = 'meeting' and group_size <= 2) as is_one_on_one,
        bool_or(channel = 'email') as is_email,
        bool_or(channel = 'linkedin_message') as is_linkedin,
        count(*) filter (where is_direct and direction = 'out' and counts_toward_score) as direct_out,
        count(*) filter (where is_direct and direction = 'in' and counts_toward_score) as direct_in,
        -- (sums in a fixed order: a fit from the same rows is the same fit)
        coalesce(sum(weight order by occurred_at, channel, direction) filter (where counts_toward_score), 0)
            as score_weight,
        coalesce(sum(undiscounted_weight order by occurred_at, channel, direction)
                 filter (where counts_toward_score), 0) as undiscounted_score_weight
    from events
    group by person_id, local_day(occurred_at)
)

select
    *,
    case when is_direct_contact then date_diff('day', lag(day) over (
        partition by person_id, is_direct_contact order by day), day) end as direct_gap_days
from days;
