-- LinkedIn messages from the data export, as read: who and when, never the text (the record has no
-- field for it).
create table if not exists raw_linkedin__messages (
    message_key  varchar primary key,   -- md5 of conversation, time, sender, recipients
    {{ columns_of('LinkedInMessage') }}
);
