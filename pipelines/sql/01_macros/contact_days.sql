-- What the owner's history says about each tie at any moment: the evidence the strength, follow-up
-- and reply models read (docs/metrics.md "Learned from your own history"). Macros over an
-- interactions relation named by `events` (int_interactions, or a snapshot of it), evaluated at
-- every moment in `cuts` (a list of timestamptz) from what came before each only.

-- One row per person and owner-local day with any contact (an interaction of weight > 0): what kind
-- of contact it was, the day's score weight (docs/metrics.md's weights, one event per person, channel,
-- direction and day) and the days since the previous day of direct contact.
create or replace macro contact_days(events := 'int_interactions') as table
with events as (
    select
        person_id, occurred_at, channel, direction, is_direct, group_size, counts_toward_score,
        case when metric('use_group_weighting') = 1 then weight else undiscounted_weight end as score_weight
    from query_table(events)
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
        coalesce(sum(score_weight order by occurred_at, channel, direction) filter (where counts_toward_score), 0)
            as score_weight  -- (sums in a fixed order: a fit from the same rows is the same fit)
    from events
    group by person_id, local_day(occurred_at)
)

select
    *,
    case when is_direct_contact then date_diff('day', lag(day) over (
        partition by person_id, is_direct_contact order by day), day) end as direct_gap_days
from days;
