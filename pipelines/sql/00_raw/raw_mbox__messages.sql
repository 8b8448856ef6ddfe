-- E-mail headers from mbox files (never bodies). One row per message across all exports.
create table if not exists raw_mbox__messages (
    message_key  varchar primary key,   -- <message-id>, or sha256:<header hash> without one
    {{ columns_of('MailMessage') }}
);
