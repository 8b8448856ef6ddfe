-- Who is who: written by the people build (pipelines/people.py) from the data and people.toml.

-- The [owner] section of the config, as the last build saw it.
create table if not exists owner_settings (
    name      varchar,
    emails    varchar[] not null,
    timezone  varchar not null
);
