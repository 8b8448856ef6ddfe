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

-- Per person and cut: counts of contact days in windows before the cut, recency, cadence, and the
-- decayed sums of docs/metrics.md (half-lives 30, 90, 180, 365 days and `half_life_days`). Everybody with
-- any contact before the cut has a row; what lies more than two years back is not read.
create or replace macro tie_features(cuts, events := 'int_interactions') as table
with days as (
    select * from contact_days(events := events)
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

-- What happened after each cut, for learning and for the backtest: whether there was any contact in
-- the next 60 days, and on how many days there was direct contact in the next 90.
create or replace macro tie_outcomes(cuts, events := 'int_interactions') as table
with days as (
    select * from contact_days(events := events)
),

cut_list as (
    select distinct unnest(cuts)::timestamptz as cut_at
),

ahead as (
    select c.cut_at, d.*, (epoch(d.first_at) - epoch(c.cut_at)) / 86400.0 as days_ahead
    from cut_list as c
    join days as d on d.first_at >= c.cut_at and d.first_at < days_after(c.cut_at, 90)
)

select
    person_id,
    cut_at,
    bool_or(days_ahead < 60) as contacted_next_60,
    count(*) filter (where is_direct_contact) as direct_days_next_90
from ahead
group by person_id, cut_at;

-- The features, and beside them (named x_...) the inputs as the models read them: numbers on
-- scales where effects are about linear (counts and days as ln(1 + x)), from a relation of
-- `tie_features` rows named by `features`. Python fits on exactly these columns, and the views
-- score with them.
create or replace macro tie_inputs(features := 'int_tie_features_now') as table
select
    *,
    ln(1 + interactions_30) as x_interactions_30,
    ln(1 + interactions_365) as x_interactions_365,
    ln(1 + contact_days_30) as x_contact_days_30,
    ln(1 + contact_days_90) as x_contact_days_90,
    ln(1 + contact_days_365) as x_contact_days_365,
    ln(1 + direct_days_30) as x_direct_days_30,
    ln(1 + direct_days_90) as x_direct_days_90,
    ln(1 + direct_days_365) as x_direct_days_365,
    ln(1 + meeting_days_365) as x_meeting_days_365,
    ln(1 + one_on_one_days_365) as x_one_on_one_days_365,
    ln(1 + linkedin_days_365) as x_linkedin_days_365,
    ln(1 + group_only_days_365) as x_group_only_days_365,
    ln(1 + messages_out_365) as x_messages_out_365,
    ln(1 + messages_in_365) as x_messages_in_365,
    reciprocity as x_reciprocity,
    ln(1 + days_since_contact) as x_days_since_contact,
    ln(1 + days_since_direct) as x_days_since_direct,
    ln(1 + coalesce(median_gap_days, 365)) as x_usual_gap,
    ln((1 + days_since_direct) / (1 + coalesce(median_gap_days, 365))) as x_overdue,
    ln(1 + decayed_30) as x_decayed_30,
    ln(1 + decayed_90) as x_decayed_90,
    ln(1 + decayed_365) as x_decayed_365,
    ln(1 + published_score) as x_published_score,
    channels as x_channels,
    ln(1 + days_known) as x_days_known
from query_table(features);
