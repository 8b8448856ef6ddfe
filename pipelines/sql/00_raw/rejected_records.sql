-- Every input item that could not be loaded, with where it was and why.
create table if not exists rejected_records (
    source       varchar not null,
    location     varchar not null,   -- file and line, byte offset or component
    reason       varchar not null,
    raw          varchar,            -- the offending input, truncated
    run_id       bigint not null,
    rejected_at  timestamptz not null
);
