-- Calendar occurrences from the Google Calendar API (singleEvents): one row per (iCalUID, instance).
create table if not exists raw_gcal__events (
    event_key      varchar primary key,   -- uid, plus '@' and the UTC recurrence id for instances
    uid            varchar not null,
    recurrence_id  timestamptz,
    calendar       varchar,
    summary        varchar,
    start_at       timestamptz not null,
    end_at         timestamptz not null,
    is_all_day     boolean not null,
    timezone       varchar,
    status         varchar,
    organizer      struct(email varchar, name varchar),
    attendees      struct(email varchar, name varchar, partstat varchar, role varchar, cutype varchar)[] not null,
    sequence       bigint not null,
    last_modified  timestamptz,
    _origin        varchar not null,
    _run_id        bigint not null,
    _loaded_at     timestamptz not null
);
