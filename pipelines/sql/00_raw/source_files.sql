-- Content fingerprints of ingested input files: the same bytes are never parsed twice.
create table if not exists source_files (
    source          varchar not null,
    content_sha256  varchar not null,
    path            varchar not null,   -- where it was read from (the same content may move)
    bytes           bigint not null,
    run_id          bigint not null,
    primary key (source, content_sha256)
);
