-- One row per connector run that committed: what it read and what became of it.
create table if not exists ingest_runs (
    run_id            bigint primary key,
    source            varchar not null,      -- linkedin, mbox, ics (gmail, gcal later)
    inputs            varchar[] not null,    -- the paths as given
    started_at        timestamptz not null,
    finished_at       timestamptz not null,
    seconds           double not null,
    files_read        integer not null,      -- input files parsed in this run
    files_unchanged   integer not null,      -- input files skipped: same content already ingested
    records_read      bigint not null,       -- items the connector produced (loaded + duplicates + updated + skipped + rejected)
    loaded            bigint not null,       -- new rows in the raw tables
    updated           bigint not null,       -- rows replaced by a newer version (e.g. a moved meeting)
    duplicates        bigint not null,       -- rows already present (overlapping exports)
    skipped           bigint not null,       -- deliberately left out, see skipped_by_reason
    skipped_by_reason map(varchar, bigint) not null,
    rejected          bigint not null,       -- unreadable items, kept in rejected_records
    "cursor"          varchar                -- API sources: the sync position after this run
);
-- Rows an API source removed because the source deleted them (Gmail deletions, Outlook @removed).
alter table ingest_runs add column if not exists removed bigint default 0;
