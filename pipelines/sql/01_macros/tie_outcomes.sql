-- What happened after each cut, for learning and for the backtest: whether there was any contact in
-- the next 60 days, and on how many days there was direct contact in the next 90.
create or replace macro tie_outcomes(cuts, contact_days := 'int_contact_days') as table
with days as (
    select * from query_table(contact_days)
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
