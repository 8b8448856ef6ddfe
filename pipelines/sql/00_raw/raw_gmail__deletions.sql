-- Messages deleted for good in Gmail (history messagesDeleted, or gone from a full sync's listing).
-- Their raw_gmail__messages rows are removed; this record also hides a Takeout copy of the message.
create table if not exists raw_gmail__deletions (
    gmail_id    varchar primary key,   -- decimal, as raw_gmail__messages.gmail_id
    deleted_at  timestamptz not null,  -- when tiekeeper learnt of it
    _run_id     bigint not null
);
