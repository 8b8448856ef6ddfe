-- Ties to follow up with: active ties that are likely to lapse without a nudge, the ones that
-- matter most first (lapse risk times expected contact). A list for reading: strength rounded to
-- 0.1; lapse_risk and priority stay exact (the model's threshold and the list's order read them).
create or replace view follow_ups as
select * exclude (is_eligible) replace (round(strength, 1) as strength)
from cadence
where is_eligible and reason is not null;
