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
