-- LinkedIn data export, as read. Natural keys make re-imports and newer exports harmless.

create table if not exists raw_linkedin__connections (
    connection_key  varchar primary key,   -- url:<profile url> | blank:<date>:<n> | name:<name>:<date>
    first_name      varchar not null,      -- '' on blank (hidden or deleted) member rows
    last_name       varchar not null,
    profile_url     varchar,
    email           varchar,
    company         varchar,
    position        varchar,
    connected_on    date,
    _origin         varchar not null,
    _run_id         bigint not null,
    _loaded_at      timestamptz not null
);

create table if not exists raw_linkedin__messages (
    message_key         varchar primary key,   -- md5 of conversation, time, sender, recipients
    conversation_id     varchar,
    conversation_title  varchar,
    sender_name         varchar,
    sender_url          varchar,
    recipient_names     varchar,
    recipient_urls      varchar[] not null,
    sent_at             timestamptz not null,
    subject             varchar,
    folder              varchar,
    direction           varchar,               -- INCOMING / OUTGOING in 2018-2020 exports only
    is_draft            boolean not null,
    _origin             varchar not null,
    _run_id             bigint not null,
    _loaded_at          timestamptz not null
    -- no content column: message text is never stored
);

create table if not exists raw_linkedin__invitations (
    invitation_key  varchar primary key,   -- md5 of direction, time, parties
    sender_name     varchar,
    recipient_name  varchar,
    sent_at         timestamptz not null,
    direction       varchar not null,      -- INCOMING / OUTGOING
    has_message     boolean not null,
    inviter_url     varchar,
    invitee_url     varchar,
    _origin         varchar not null,
    _run_id         bigint not null,
    _loaded_at      timestamptz not null
);
