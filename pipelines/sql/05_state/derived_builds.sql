-- What each derived build (people, metrics) was last made from: a fingerprint of its inputs, so
-- that a run whose inputs did not change skips it (pipelines/derived.py), and what it found.
create table if not exists derived_builds (
    name         varchar primary key,    -- schema | people | metrics | strength history | fit <model>
    fingerprint  varchar not null,       -- of the raw rows, people.toml, the owner, settings, the code
    built_at     timestamptz not null,
    summary      json not null           -- the build's summary, said again when it is skipped
);
