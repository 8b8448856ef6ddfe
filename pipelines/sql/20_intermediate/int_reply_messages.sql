-- Every message between people with its place in the thread, and when the owner answered it: the
-- owner's next message in the same thread, and the owner's next message to its sender, after it.
-- Materialised: a table every writing run rebuilds (warehouse.refresh_tables), read by reply_candidates;
-- it keeps only the columns that reads (a copy of every message's parties took as long again to write).
-- The windows and as-of joins run on the few columns they need, and their results are joined back
-- to the messages by key: sorting every message's lists of recipients along took three times as long.
create or replace table int_reply_messages as
with messages as not materialized (  -- what the reply model reads of each message (not its parties' list)
    select channel, thread_ref, message_ref, replied_ref, sent_at, sender_role, sender_person_id, is_from_owner,
           is_owner_in_to, direct_recipients, to_person_ids, labels, size_bytes,
           len(list_filter(recipients, lambda r: r.field = 'cc')) > 0 as has_cc
    from int_threads
),

keys as not materialized (
    select channel, thread_ref, message_ref, sent_at, sender_person_id, replied_ref, is_from_owner, size_bytes
    from messages
),

sequenced as (
    select
        channel,
        message_ref,
        lead(sent_at) over thread as next_at,
        row_number() over thread - 1 as position,
        coalesce(sum(is_from_owner::int) over (thread rows between unbounded preceding and 1 preceding), 0)
            as owner_messages_before,
        first_value(is_from_owner) over thread as started_by_owner
    from keys
    window thread as (partition by channel, thread_ref order by sent_at, message_ref)
),

owner_in_thread as (
    select channel, thread_ref, sent_at from keys where is_from_owner
),

owner_to_person as (  -- the owner writing to a person, in any thread and channel
    select unnest(to_person_ids) as person_id, sent_at
    from messages
    where is_from_owner
),

answered as (
    select
        s.channel,
        s.message_ref,
        p.is_from_owner as replies_to_owner,
        s.size_bytes - p.size_bytes as size_over_replied,  -- about what is new in it, where the reply quotes
        t.sent_at as owner_next_in_thread_at,
        o.sent_at as owner_next_to_sender_at
    from keys as s
    left join keys as p on p.channel = s.channel and p.message_ref = s.replied_ref
    asof left join owner_in_thread as t on t.channel = s.channel and t.thread_ref = s.thread_ref and t.sent_at > s.sent_at
    asof left join owner_to_person as o on o.person_id = s.sender_person_id and o.sent_at > s.sent_at
)

select m.*, s.* exclude (channel, message_ref), a.* exclude (channel, message_ref)
from messages as m
join sequenced as s using (channel, message_ref)
join answered as a using (channel, message_ref);
