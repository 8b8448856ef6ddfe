-- E-mail headers from Outlook / Microsoft 365 through Microsoft Graph (Mail.ReadBasic: never
-- bodies). One row per mailbox item, a message in two folders (sent to oneself, say) being two
-- items; staging makes them one message.
create table if not exists raw_outlook__messages (
    message_key  varchar not null,   -- <message-id>, or sha256:<header hash> without one
    {{ columns_of('OutlookMessage') }},
    primary key (item_id)
);
