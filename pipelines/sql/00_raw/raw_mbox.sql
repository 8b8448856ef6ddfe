-- E-mail headers from mbox files (never bodies). One row per message across all exports.
create table if not exists raw_mbox__messages (
    message_key           varchar primary key,   -- <message-id>, or sha256:<header hash> without one
    message_id            varchar,
    header_hash           varchar not null,
    gmail_id              varchar,               -- decimal Gmail message id (Takeout From_ line)
    thread_id             varchar,               -- decimal Gmail thread id (X-GM-THRID)
    in_reply_to           varchar,
    "references"          varchar[] not null,
    sent_at               timestamptz,
    from_addr             struct(email varchar, name varchar),
    reply_to              struct(email varchar, name varchar)[] not null,
    "to"                  struct(email varchar, name varchar)[] not null,
    cc                    struct(email varchar, name varchar)[] not null,
    bcc                   struct(email varchar, name varchar)[] not null,
    subject               varchar,
    labels                varchar[] not null,
    list_id               varchar,
    has_list_unsubscribe  boolean not null,
    precedence            varchar,
    auto_submitted        varchar,
    size_bytes            bigint,                -- the whole message's size; its body is never read
    _origin               varchar not null,
    _run_id               bigint not null,
    _loaded_at            timestamptz not null
);
-- Databases created before the column existed (their older messages keep a null size).
alter table raw_mbox__messages add column if not exists size_bytes bigint;
