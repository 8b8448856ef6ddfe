-- One row per interaction with one person, before the as-of time (see int_interactions for how each
-- is weighted; docs/schema.md describes every column).
create or replace view interactions as
select * from int_interactions where occurred_at < as_of();
