-- Every message between people with its place in the thread, and when the owner answered it: the
-- owner's next message in the same thread, and the owner's next message to its sender, after it.
-- Materialised: a table every writing run rebuilds (warehouse.refresh_tables), read by reply_candidates.
create or replace table int_reply_messages as
with messages as (
    select * from int_threads
),

sequenced as (
    select
        *,
        lead(sent_at) over thread as next_at,
        row_number() over thread - 1 as position,
        coalesce(sum(is_from_owner::int) over (thread rows between unbounded preceding and 1 preceding), 0)
            as owner_messages_before,
        first_value(is_from_owner) over thread as started_by_owner
    from messages
    window thread as (partition by channel, thread_ref order by sent_at, message_ref)
),

owner_in_thread as (
    select channel, thread_ref, sent_at from messages where is_from_owner
),

owner_to_person as (  -- the owner writing to a person, in any thread and channel
    select person_id, sent_at
    from messages, unnest(to_person_ids) as t(person_id)
    where is_from_owner
)

select
    s.*,
    p.is_from_owner as replies_to_owner,
    s.size_bytes - p.size_bytes as size_over_replied,  -- about what is new in it, where the reply quotes
    t.sent_at as owner_next_in_thread_at,
    o.sent_at as owner_next_to_sender_at
from sequenced as s
left join messages as p on p.channel = s.channel and p.message_ref = s.replied_ref
asof left join owner_in_thread as t on t.channel = s.channel and t.thread_ref = s.thread_ref and t.sent_at > s.sent_at
asof left join owner_to_person as o on o.person_id = s.sender_person_id and o.sent_at > s.sent_at;
