-- Who is who: written by the people build (pipelines/people.py) from the data and people.toml.

-- The [owner] section of the config, as the last build saw it.
create table if not exists owner_settings (
    name      varchar,
    emails    varchar[] not null,
    timezone  varchar not null
);

-- Every identity seen (an e-mail address, a LinkedIn profile, a LinkedIn name without a profile)
-- and whose it is.
create table if not exists identities (
    identity_key   varchar primary key,   -- email:<mailbox> | linkedin:<profile slug> | linkedin_name:<folded name>
    kind           varchar not null,      -- email, linkedin_url, linkedin_name
    display_name   varchar,               -- the name it goes by
    role           varchar not null,      -- person, owner, automated, ignored
    person_id      varchar,               -- set when role = 'person'
    evidence       varchar not null,      -- why it belongs where it is
    confidence     double not null,       -- 0..1: how sure the link to person_id (or the role) is
    sightings      bigint not null,       -- appearances in all sources
    first_seen_at  timestamptz,
    last_seen_at   timestamptz
);

-- Candidate links between identities that the build scored, and what became of them.
create table if not exists identity_matches (
    match_id       varchar primary key,   -- stable: derived from the two keys
    left_key       varchar not null,
    right_key      varchar not null,
    score          double not null,       -- log2 likelihood ratio: > 0 favours "same person"
    probability    double not null,
    evidence       varchar not null,
    decision       varchar not null       -- merged, suggested, kept apart (...), merged by override, split by override
);

-- People the user pinned as close in people.toml ([[close]]): metadata cannot see every close tie.
create table if not exists pinned_people (
    person_id     varchar not null,
    identity_key  varchar not null   -- the identity the user named
);
