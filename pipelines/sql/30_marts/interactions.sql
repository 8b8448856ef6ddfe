-- One row per interaction with one person, before the as-of time (see int_interactions for how each
-- is weighted). Columns: person_id, occurred_at, channel (email, meeting, linkedin_message,
-- linkedin_connection), direction (in, out, both), source, source_ref, thread_ref, group_size, role,
-- is_direct, weight, weight_reason, undiscounted_weight, counts_toward_score.
create or replace view interactions as
select * from int_interactions where occurred_at < as_of();
