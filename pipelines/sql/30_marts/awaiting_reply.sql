-- Threads waiting on a reply as of `as_of()`: on the owner (a real person asked them directly) or
-- on a person (the owner asked and nothing came back). One row per thread and person waiting.
-- The rules are docs/metrics.md's "Awaiting reply"; only what happened before as_of() is seen. Read
-- closely: what ends a wait on a person is a direct message from them or a meeting of at most five
-- (not a group mail or an all-hands), and their pace counts answers given within 30 days.
-- A thread waits at most `awaiting_max_days`: only what the threads of that window need is read of
-- the older history (a person's pace, when the owner first wrote to them), so that the view costs
-- what the window holds, not what twenty years of mail hold.
create or replace view awaiting_reply as
with constants as (
    select  -- from [metrics] (defaults in pipelines/metrics.py)
        metric('awaiting_max_recipients') as max_direct_recipients,  -- To + Cc: more is a group mail
        metric('awaiting_on_me_business_days') as min_business_days_on_me,
        metric('awaiting_on_them_business_days') as min_business_days_on_them,
        to_days(metric('awaiting_max_days')::integer) as max_age,  -- older is abandoned, not pending
        metric('awaiting_min_known_replies') as min_known_replies,  -- a person's own pace counts from here
        metric('awaiting_max_meeting_headcount') as max_meeting_headcount,  -- a meeting to talk in
        owner_tz() as timezone,
        days_after(as_of(), -metric('awaiting_max_days')) as window_start  -- older waits are abandoned
),

messages as not materialized (  -- mail only between the owner's own addresses is nobody's turn
    select * from int_threads where sent_at < as_of() and not (is_from_owner and is_to_owner_only)
),

profiles as (
    select person_id, full_name, company, primary_email from int_person_profiles
),

reply_fit as (
    select * from current_fits() where model = 'reply'
),

recent_messages as (
    select m.* from messages as m cross join constants as c where m.sent_at >= c.window_start
),

last_messages as (  -- the latest message of each thread active in the window, with the message it answers
    select m.*, p.is_from_owner as replies_to_owner
    from recent_messages as m
    left join messages as p on p.channel = m.channel and p.message_ref = m.replied_ref
    qualify row_number() over (partition by m.channel, m.thread_ref order by m.sent_at desc, m.message_ref desc) = 1
),

written_to as (  -- when the owner first wrote to each sender of a last message, in any thread and channel
    select person_id, min(sent_at) as first_written_at
    from (select unnest(recipient_person_ids) as person_id, sent_at from messages where is_from_owner)
    where person_id in (select sender_person_id from last_messages)
    group by person_id
),

awaited as (  -- the people a last message of the owner's awaits
    select distinct unnest(to_person_ids) as person_id from last_messages where is_from_owner
),

replies as (  -- a person answering a message of the owner's, and how long it took them; later than
              -- max_age it is a new start (a LinkedIn conversation runs on for years), not a reply
    select m.sender_person_id as person_id, m.sent_at,
           business_days(p.sent_at, m.sent_at, tz := c.timezone) as business_days_taken
    from messages as m
    join messages as p on p.channel = m.channel and p.message_ref = m.replied_ref
    cross join constants as c
    where m.sender_role = 'person' and p.is_from_owner and m.sent_at - p.sent_at <= c.max_age
      and m.sender_person_id in (select person_id from awaited)
),

reply_pace as (  -- the time within which a person answers the owner 9 times in 10 (p90)
    select person_id, quantile_cont(business_days_taken, 0.9) as usual_latency, count(*) as known_replies
    from replies
    group by person_id
),

meetings as (  -- held meetings and who was there: accepted or tentative attendees and the organiser
    select
        start_at,
        list_distinct(list_concat(
            ['email:' || email_key(organizer.email)],
            list_transform(
                list_filter(attendees, lambda a: a.partstat in ('ACCEPTED', 'TENTATIVE')
                                                 and coalesce(a.cutype, '') not in ('ROOM', 'RESOURCE')),
                lambda a: 'email:' || email_key(a.email)))) as present_keys
    from int_calendar_events cross join constants as c
    where not is_cancelled and start_at < as_of() and start_at >= c.window_start
),

heard_from as (  -- a person's direct word since: a message on any channel, or a small meeting
    select sender_person_id as person_id, sent_at as happened_at
    from recent_messages cross join constants as c
    where sender_role = 'person' and direct_recipients <= c.max_direct_recipients
    union all
    select i.person_id, m.start_at
    from meetings as m cross join constants as c, unnest(m.present_keys) as t(identity_key)
    join identities as i using (identity_key)
    where i.role = 'person' and len(m.present_keys) <= c.max_meeting_headcount
),

learned_on_me as (  -- where the owner's history supports it: what the reply model says they will answer
    select person_id, channel, thread_ref, 'me' as waiting_on, since, message_ref as last_message_ref,
           answer_probability
    from reply_scores([as_of()])
    where answer_probability >= (select threshold from reply_fit)
),

published_on_me as (  -- else docs/metrics.md's rules
    select l.sender_person_id as person_id, l.channel, l.thread_ref, 'me' as waiting_on, l.sent_at as since,
           l.message_ref as last_message_ref, null::double as answer_probability
    from last_messages as l
    cross join constants as c
    left join written_to as w on w.person_id = l.sender_person_id
    where coalesce((select method from reply_fit), 'published') = 'published'
      and l.sender_role = 'person'
      and l.is_owner_in_to
      and l.direct_recipients <= c.max_direct_recipients
      and (w.first_written_at < l.sent_at or l.replies_to_owner)
      and business_days(l.sent_at, as_of(), tz := c.timezone) >= c.min_business_days_on_me
),

waiting_on_me as (
    select * from learned_on_me
    union all
    select * from published_on_me
),

last_heard as (  -- when each person's direct word last came (in the window, where the waits start): the
                  -- owner's messages before it are answered
    select person_id, max(happened_at) as last_heard_at from heard_from group by person_id
),

waiting_on_them as (
    select l.person_id, l.channel, l.thread_ref, 'them' as waiting_on, l.sent_at as since,
           l.message_ref as last_message_ref, null::double as answer_probability
    from (select *, unnest(to_person_ids) as person_id from last_messages where is_from_owner) as l
    cross join constants as c
    left join reply_pace as r on r.person_id = l.person_id
    left join last_heard as h on h.person_id = l.person_id
    where l.direct_recipients <= c.max_direct_recipients
      and business_days(l.sent_at, as_of(), tz := c.timezone) >= greatest(
          c.min_business_days_on_them,
          case when r.known_replies >= c.min_known_replies then r.usual_latency else 0 end)
      and not coalesce(h.last_heard_at > l.sent_at, false)
),

waiting as (
    select * from waiting_on_me
    union all
    select * from waiting_on_them
),

thread_subjects as (  -- the first subject of each waiting thread, however long ago it started
    select channel, thread_ref, arg_min(subject, (sent_at, message_ref)) filter (where subject is not null) as subject
    from messages
    semi join (select distinct channel, thread_ref from waiting) as w using (channel, thread_ref)
    group by all
),

final as (
    select
        w.person_id,
        p.full_name,
        p.company,
        p.primary_email,
        w.thread_ref,
        w.channel,
        w.waiting_on,
        w.since,
        floor(business_days(w.since, as_of(), tz := c.timezone))::integer as days_waiting,
        s.subject,
        w.last_message_ref,
        w.answer_probability
    from waiting as w
    cross join constants as c
    left join thread_subjects as s using (channel, thread_ref)
    left join profiles as p on p.person_id = w.person_id
    where w.since >= c.window_start
)

select * from final;
