-- E-mail headers and calendar occurrences from Outlook / Microsoft 365 through Microsoft Graph
-- (Mail.ReadBasic: never bodies). Mail: one row per mailbox item, a message in two folders (sent to
-- oneself, say) being two items; staging makes them one message.
create table if not exists raw_outlook__messages (
    item_id                   varchar primary key,   -- Graph's immutable id
    folder_id                 varchar not null,
    folder                    varchar,               -- 'Inbox', 'Sent', 'Archive' or the folder's display name
    message_key               varchar not null,      -- <message-id>, or sha256:<header hash> without one
    message_id                varchar,
    header_hash               varchar not null,
    thread_id                 varchar,               -- Outlook's conversationId
    in_reply_to               varchar,
    "references"              varchar[] not null,
    sent_at                   timestamptz,
    received_at               timestamptz,
    from_addr                 struct(email varchar, name varchar),
    reply_to                  struct(email varchar, name varchar)[] not null,
    "to"                      struct(email varchar, name varchar)[] not null,
    cc                        struct(email varchar, name varchar)[] not null,
    bcc                       struct(email varchar, name varchar)[] not null,
    subject                   varchar,
    list_id                   varchar,
    has_list_unsubscribe      boolean not null,
    precedence                varchar,
    auto_submitted            varchar,
    size_bytes                bigint,                -- null: Mail.ReadBasic gives no size (an extended property)
    importance                varchar,               -- low, normal, high
    is_read                   boolean,
    flag_status               varchar,               -- notFlagged, flagged, complete
    categories                varchar[],             -- the user's Outlook categories
    inference_classification  varchar,               -- focused, other
    has_attachments           boolean,
    _origin                   varchar not null,
    _run_id                   bigint not null,
    _loaded_at                timestamptz not null
);

-- Occurrences of the Outlook calendar (calendarView: series come as their occurrences and exceptions).
create table if not exists raw_outlook__events (
    event_key      varchar primary key,   -- uid, plus '@' and the UTC recurrence id for occurrences
    uid            varchar not null,      -- the iCalendar UID (of the series, for occurrences)
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
    _origin        varchar not null,      -- outlook-calendar:<Graph event id>
    _run_id        bigint not null,
    _loaded_at     timestamptz not null
);
