-- Every tie's features as of as_of() and `trend_days` before it (tie_features): what the strength,
-- follow-up and trend views score.
create or replace view int_tie_features_now as
select * from tie_features([as_of(), days_after(as_of(), -metric('trend_days'))]);
