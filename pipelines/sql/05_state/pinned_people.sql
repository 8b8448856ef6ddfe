-- People the user pinned as close in people.toml ([[close]]): metadata cannot see every close tie.
create table if not exists pinned_people (
    person_id     varchar not null,
    identity_key  varchar not null   -- the identity the user named
);
