-- Every tie's cadence and how likely it is to lapse (docs/metrics.md "Follow-ups"): the gap between
-- days of direct contact the person usually has with you (their own median, shrunk toward their
-- tier's cadence), how long it has been, and the learned risk that there is no contact at all in
-- the next 60 days.
create or replace view cadence as
with profiles as (
    select person_id, full_name, company, primary_email from int_person_profiles
),

scores as (
    select * from tie_scores() where cut_at = as_of()
),

lapse_fit as (
    select * from current_fits() where model = 'lapse'
),

shrunk as (
    select
        s.*,
        greatest(metric('min_gap_days'), least(metric('max_gap_days'),
            (s.gap_count * coalesce(s.median_gap_days, 0) + metric('prior_pseudo_gaps') * case s.tier
                when 'Inner' then metric('prior_gap_inner') when 'Close' then metric('prior_gap_close')
                when 'Active' then metric('prior_gap_active') when 'Network' then metric('prior_gap_network')
                else metric('prior_gap_peripheral') end)
            / (s.gap_count + metric('prior_pseudo_gaps')))) as usual_gap_days
    from scores as s
),

final as (
    select
        person_id,
        p.full_name,
        p.company,
        p.primary_email,
        last_contact_at,  -- the last interaction that counts (weight > 0): a Cc or a group meeting too
        round(days_since_contact, 1) as days_since_contact,
        round(days_since_direct, 1) as days_since_direct,
        round(usual_gap_days, 1) as usual_gap_days,
        round(days_since_direct - usual_gap_days, 1) as overdue_days,
        round(days_since_direct / usual_gap_days, 2) as overdue_ratio,
        lapse_risk,
        strength,
        tier,
        gap_count,
        median_gap_days as median_gap,
        active_days_180,
        -- a tie that is active: at least 2 days of direct contact or meetings in the last 180 days ...
        active_days_180 >= 2
        -- ... and not in touch this week: nobody contacted in the last 7 days is listed
        and days_since_contact >= 7 as is_eligible,
        case
            when (select method from lapse_fit) = 'learned' then
                case when lapse_risk >= (select threshold from lapse_fit) then
                    case when lapse_risk >= 0.9 then 'likely lapsed' when lapse_risk >= 0.75 then 'fading'
                         else 'follow up' end
                end
            -- the published rule, for a short history: silent for 2x (follow up), 4x (fading) or 8x
            -- (likely lapsed) the usual gap, for ties that matter
            when strength >= metric('follow_up_min_strength') or tier in ('Inner', 'Close', 'Active') then
                case
                    when days_since_direct / usual_gap_days >= metric('lapsed_ratio') then 'likely lapsed'
                    when days_since_direct / usual_gap_days >= metric('fading_ratio') then 'fading'
                    when days_since_direct / usual_gap_days >= metric('follow_up_ratio') then 'follow up'
                end
        end as reason,
        coalesce((select method from lapse_fit), 'published') as method,
        -- who first: the risk of losing the tie times what it is worth (the contact it holds), or for
        -- the published rule how overdue it is times its strength
        coalesce(lapse_risk * expected_contact_days, days_since_direct / usual_gap_days * strength) as priority
    from shrunk
    left join profiles as p using (person_id)
)

select * from final;
