-- Messages the owner may owe an answer to, as the reply model reads them (docs/metrics.md "Replies
-- you owe"): headers only (who wrote to whom, To or Cc, where in the thread, Gmail's labels, the
-- message's size, when), and the owner's own past answers to the sender. Macros over a messages
-- relation shaped like int_reply_messages, evaluated at every moment in `cuts` from what came
-- before it.

-- Per cut: every thread whose last message came from a person who wrote to the owner directly
-- (owner in To, at most `awaiting_max_recipients` recipients), at least
-- `awaiting_on_me_business_days` business days and at most `awaiting_max_days` days before the cut,
-- with the evidence the reply model weighs; and whether the owner then answered within 14 days.
create or replace macro reply_candidates(cuts, messages := 'int_reply_messages') as table
with all_messages as not materialized (  -- (read where needed: a copy of every message cost more)
    select * from query_table(messages)
),

cut_list as (
    select distinct unnest(cuts)::timestamptz as cut_at
),

inbound as (  -- direct messages from people to the owner, each with whether it was answered in 14 days
    select
        *,
        least(owner_next_in_thread_at, owner_next_to_sender_at) <= sent_at + interval 336 hours as was_answered
    from all_messages
    where sender_role = 'person' and is_owner_in_to
      and direct_recipients <= metric('awaiting_max_recipients')
),

pending as (  -- the thread's last message at the cut, waiting long enough and not too long
    select c.cut_at, i.*
    from cut_list as c
    join inbound as i
      on i.sent_at < c.cut_at and i.sent_at >= days_after(c.cut_at, -metric('awaiting_max_days'))
     and coalesce(i.next_at, 'infinity'::timestamptz) >= c.cut_at
    where business_days(i.sent_at, c.cut_at, tz := owner_tz()) >= metric('awaiting_on_me_business_days')
),

pending_senders as (  -- the running counts below are per person: only these people's are read
    select distinct sender_person_id from pending
),

sender_history as (  -- running counts per sender, for "how often has the owner answered them"
    select
        sender_person_id,
        sent_at,
        sent_at + interval 336 hours as known_at,  -- whether it was answered is known 14 days on
        count(*) over running as received,
        sum(was_answered::int) over running as answered
    from inbound
    where sender_person_id in (select sender_person_id from pending_senders)
    window running as (partition by sender_person_id order by sent_at, message_ref
                       rows between unbounded preceding and current row)
),

owner_sent as (  -- running count of the owner's messages to each person
    select
        person_id,
        sent_at,
        count(*) over (partition by person_id order by sent_at rows between unbounded preceding and current row)
            as sent_so_far
    from (select unnest(to_person_ids) as person_id, sent_at from all_messages where is_from_owner)
    where person_id in (select sender_person_id from pending_senders)
),

with_sender as (
    select p.*, coalesce(h.received, 0) as sender_received, coalesce(h.answered, 0) as sender_answered
    from pending as p
    asof left join sender_history as h
      on h.sender_person_id = p.sender_person_id and h.known_at <= p.cut_at
),

sender_sent as (  -- running count of each person's direct messages to the owner
    select sender_person_id as person_id, sent_at, received as sent_so_far from sender_history
),

with_sent as (  -- how much the owner and the sender wrote to each other lately: counts as differences
    select
        w.*,
        coalesce(now_.sent_so_far, 0) - coalesce(year_ago.sent_so_far, 0) as owner_sent_365,
        coalesce(now_.sent_so_far, 0) - coalesce(month_ago.sent_so_far, 0) as owner_sent_30,
        now_.sent_at as owner_last_wrote_at,
        coalesce(in_now.sent_so_far, 0) - coalesce(in_month_ago.sent_so_far, 0) as sender_sent_30
    from with_sender as w
    asof left join owner_sent as now_ on now_.person_id = w.sender_person_id and now_.sent_at < w.cut_at
    asof left join owner_sent as month_ago
      on month_ago.person_id = w.sender_person_id and month_ago.sent_at < days_after(w.cut_at, -30)
    asof left join owner_sent as year_ago
      on year_ago.person_id = w.sender_person_id and year_ago.sent_at < days_after(w.cut_at, -365)
    asof left join sender_sent as in_now on in_now.person_id = w.sender_person_id and in_now.sent_at < w.cut_at
    asof left join sender_sent as in_month_ago
      on in_month_ago.person_id = w.sender_person_id and in_month_ago.sent_at < days_after(w.cut_at, -30)
),

answered as (  -- the owner's first word after the cut: in the thread, or to the sender anywhere
    select w.*, least(t.sent_at, o.sent_at) as owner_answered_at
    from with_sent as w
    asof left join (select channel, thread_ref, sent_at from all_messages
                    semi join (select distinct channel, thread_ref from pending) using (channel, thread_ref)
                    where is_from_owner) as t
      on t.channel = w.channel and t.thread_ref = w.thread_ref and t.sent_at >= w.cut_at
    asof left join owner_sent as o on o.person_id = w.sender_person_id and o.sent_at >= w.cut_at
)

select
    cut_at,
    channel,
    thread_ref,
    message_ref,
    sender_person_id as person_id,
    sent_at as since,
    business_days(sent_at, cut_at, tz := owner_tz()) as business_days_waiting,
    -- the evidence, as the model reads it (x_...)
    ln(1 + business_days(sent_at, cut_at, tz := owner_tz())) as x_business_days_waiting,
    ln(direct_recipients) as x_recipients,
    has_cc::int as x_has_cc,
    coalesce(replies_to_owner, false)::int as x_replies_to_owner,
    ln(1 + position) as x_position,
    ln(1 + owner_messages_before) as x_owner_messages_before,
    started_by_owner::int as x_started_by_owner,
    ln(1 + sender_received) as x_sender_messages,
    (sender_answered + 1.0) / (sender_received + 2.0) as x_sender_answer_rate,
    ln(1 + owner_sent_365) as x_owner_sent_365,
    ln(1 + owner_sent_30) as x_owner_sent_30,
    ln(1 + sender_sent_30) as x_sender_sent_30,
    ln(1 + coalesce((epoch(cut_at) - epoch(owner_last_wrote_at)) / 86400.0, 730)) as x_days_since_owner_wrote,
    list_contains(labels, 'Important')::int as x_is_important,
    list_contains(labels, 'Starred')::int as x_is_starred,
    is_filed_as_bulk(labels)::int as x_is_category_other,
    (dayofweek(local_time(sent_at)) in (0, 6))::int as x_is_weekend,
    (hour(local_time(sent_at)) < 8 or hour(local_time(sent_at)) >= 19)::int as x_is_after_hours,
    ln(1 + coalesce(size_bytes, 0) / 1024.0) as x_size_kb,
    (size_bytes is not null)::int as x_has_size,
    sign(coalesce(size_over_replied, 0)) * ln(1 + abs(coalesce(size_over_replied, 0)) / 1024.0) as x_size_over_replied_kb,
    (channel = 'linkedin')::int as x_is_linkedin,
    -- what happened next: the owner wrote in the thread, or to the sender, within 14 days
    coalesce(owner_answered_at < days_after(cut_at, 14), false) as answered_next_14
from answered;
