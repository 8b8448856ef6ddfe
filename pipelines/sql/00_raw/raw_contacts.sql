-- Address books (vCard files, Google Contacts CSV), as read. One row per card.
create table if not exists raw_contacts__cards (
    card_key      varchar primary key,   -- uid:<UID> | card:<hash of name, addresses and phones>
    full_name     varchar,
    given_name    varchar,
    family_name   varchar,
    nickname      varchar,
    organization  varchar,
    title         varchar,
    emails        varchar[] not null,
    phones        varchar[] not null,
    linkedin_url  varchar,
    format        varchar not null,      -- vCard 2.1 / 3.0 / 4.0, Google Contacts CSV, Outlook CSV
    _origin       varchar not null,
    _run_id       bigint not null,
    _loaded_at    timestamptz not null
);
