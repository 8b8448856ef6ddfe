-- Strength, tier and lapse risk for every row of a relation of `tie_features` rows (`features`),
-- with the fits current as of as_of(). Strength is the expected number of days with direct contact
-- in the next 90 days on a log scale: 100 would be contact every day, 50 about 8.5 days a quarter.
-- Learned where the owner's history supports it; else docs/metrics.md's published score, read as a rate.
create or replace macro tie_scores(features := 'int_tie_features_now') as table
with inputs as materialized (
    select * from tie_inputs(features := features)
),

predicted as (
    select
        person_id, cut_at,
        any_value(z) filter (where model = 'strength') as strength_z,
        any_value(z) filter (where model = 'lapse') as lapse_z
    from linear_predictors('inputs')
    group by person_id, cut_at
),

features as (
    select columns(lambda c: not starts_with(c, 'x_')) from inputs
),

rates as (
    select
        i.*,
        p.lapse_z,
        -- contacts expected in the next 90 days: learned, or the published score read as a rate
        -- (a steady tie of r contacts a day, each of weight w about 1, has S = w r H / ln 2)
        case when (select count(*) from current_fits() where model = 'strength' and method = 'learned') = 0
                 then i.published_score * ln(2) * 90 / metric('half_life_days')
             when i.contact_days_365 = 0 then 0.0  -- dormant: no contact in a year
             else exp(p.strength_z) end as expected_contacts
    from features as i
    left join predicted as p using (person_id, cut_at)
),

scored as (
    select
        * exclude (lapse_z),
        -- the days among the next 90 that these contacts fall on, if they come at random: never
        -- more than 90, so the strongest ties stay ordered
        90 * (1 - exp(-expected_contacts / 90)) as expected_contact_days,
        (select count(*) from current_fits() where model = 'strength' and method = 'learned') > 0
            as is_strength_learned,
        1 / (1 + exp(-lapse_z)) as lapse_risk
    from rates
),

ranked as (
    select
        *,
        100 * ln(1 + expected_contact_days) / ln(91) as strength,
        row_number() over (partition by cut_at order by expected_contact_days desc, person_id) as rank
    from scored
),

tiered as (  -- Dunbar's layers by rank, each with a floor: a stranger is not "Active" in a small network
    select
        r.*,
        case
            when rank <= metric('tier_inner') and expected_contact_days >= metric('tier_inner_min_days') then 'Inner'
            when (rank <= metric('tier_close') and expected_contact_days >= metric('tier_close_min_days'))
                 or p.person_id is not null then 'Close'  -- pinned: at least Close
            when rank <= metric('tier_active') and expected_contact_days >= metric('tier_active_min_days') then 'Active'
            when rank <= metric('tier_network') and expected_contact_days >= metric('tier_network_min_days')
                then 'Network'
            else 'Peripheral'
        end as tier
    from ranked as r
    left join (select distinct person_id from pinned_people) as p using (person_id)
)

select * from tiered;
