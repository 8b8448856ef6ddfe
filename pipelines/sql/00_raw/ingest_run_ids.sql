-- The numbers of ingest_runs.run_id, one per connector run.
create sequence if not exists ingest_run_ids start 1;
