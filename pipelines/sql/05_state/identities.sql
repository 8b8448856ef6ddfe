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
