-- E-mail headers from the Gmail API (metadata scope: never bodies). One row per message.
create table if not exists raw_gmail__messages (
    message_key           varchar primary key,   -- <message-id>, or sha256:<header hash> without one
    message_id            varchar,
    header_hash           varchar not null,
    gmail_id              varchar,               -- decimal form of the API's hex message id
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
alter table raw_gmail__messages add column if not exists size_bytes bigint;

-- Messages deleted for good in Gmail (history messagesDeleted, or gone from a full sync's listing).
-- Their raw_gmail__messages rows are removed; this record also hides a Takeout copy of the message.
create table if not exists raw_gmail__deletions (
    gmail_id    varchar primary key,   -- decimal, as raw_gmail__messages.gmail_id
    deleted_at  timestamptz not null,  -- when tiekeeper learnt of it
    _run_id     bigint not null
);
