-- E-mail headers from the Gmail API (metadata scope: never bodies). One row per message.
create table if not exists raw_gmail__messages (
    message_key  varchar primary key,   -- <message-id>, or sha256:<header hash> without one
    {{ columns_of('MailMessage') }}
);
