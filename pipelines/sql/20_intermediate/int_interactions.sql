-- One row per interaction with one person, from every source, with its weight (docs/metrics.md) and why,
-- at any time (the public `interactions` view keeps what came before as_of()). What is left out
-- (automated mail, declined and cancelled meetings, mail only between the owner's addresses) is
-- counted in `interactions_excluded`.
-- Materialised: a table every writing run rebuilds (warehouse.refresh_tables), read by the views.
create or replace table int_interactions as
with identities as (
    select identity_key, role, person_id from main.identities
),

mail as (  -- e-mail between people, its parties resolved to identities once, in int_threads; `recipients`
           -- counts the To and Cc addresses that are identities (the owner's, people's, automated ones)
    select message_ref as message_key, thread_ref, sent_at, is_from_owner, is_owner_in_to,
           case when sender_role = 'person' then sender_person_id end as from_person,
           len(to_person_ids) as to_people,
           len(list_filter(recipients, lambda r: r.role = 'owner')) > 0 as owner_addressed,
           len(list_filter(recipients, lambda r: r.role is not null and r.field in ('to', 'cc'))) as recipients,
           recipients as parties
    from int_threads
    where channel = 'email'
),

sent_mail as (  -- the owner's mail: one interaction per person addressed
    select
        s.sent_at, p.person_id, 'email' as channel, 'out' as direction, s.message_key, s.thread_ref,
        s.recipients as group_size, null::integer as duration_minutes, p.field as party_role,
        s.recipients <= 4 and p.field = 'to' as is_direct,
        1.0 as undiscounted_weight,
        case
            when s.recipients > 18 then 0.0
            when s.recipients > 4 then 0.2
            when p.field in ('cc', 'bcc') then 0.2
            else 1.0 / greatest(s.to_people, 1)
        end as weight,
        case
            when s.recipients > 18 then 'blast (more than 18 recipients)'
            when s.recipients > 4 then 'group e-mail (' || s.recipients || ' recipients)'
            when p.field in ('cc', 'bcc') then 'on Cc of your e-mail'
            else 'direct e-mail sent to ' || s.to_people || ' (1/m)'
        end as weight_reason
    from (select *, unnest(parties) as p from mail where is_from_owner) as s
    where p.role = 'person'
),

received_mail as (  -- mail from a person to the owner: one interaction with the sender
    select
        s.sent_at, s.from_person, 'email', 'in', s.message_key, s.thread_ref, s.recipients, null,
        case when s.is_owner_in_to then 'to' else 'cc' end,
        s.recipients <= 4 and s.is_owner_in_to,
        0.7,
        case
            when s.recipients > 18 then 0.0
            when s.recipients > 4 then 0.2
            when not s.is_owner_in_to then 0.2
            else 0.7
        end,
        case
            when s.recipients > 18 then 'blast (more than 18 recipients)'
            when s.recipients > 4 then 'group e-mail (' || s.recipients || ' recipients)'
            when not s.is_owner_in_to then 'you were on Cc'
            else 'direct e-mail received'
        end
    from mail as s
    where s.from_person is not null and s.owner_addressed and not s.is_from_owner
),

events as (
    select * from int_calendar_events where not is_all_day
),

event_parties as (
    select e.event_key, e.start_at, e.duration_minutes, e.is_cancelled, a.role as party_role,
           a.partstat, i.role as identity_role, i.person_id
    from events as e,
         lateral (select 'organizer' as role, e.organizer.email as email, 'ACCEPTED' as partstat
                  union all select 'attendee', x.email, coalesce(x.partstat, 'NEEDS-ACTION')
                  from (select unnest(e.attendees) as x)) as a
    join identities as i on i.identity_key = 'email:' || email_key(a.email)
),

meeting_shape as (
    select
        event_key,
        any_value(start_at) as start_at,
        any_value(duration_minutes) as duration_minutes,
        any_value(is_cancelled) as is_cancelled,
        -- the owner organises or is invited, and did not say no
        bool_or(identity_role = 'owner') and not bool_or(identity_role = 'owner' and partstat = 'DECLINED')
            as owner_attends,
        -- headcount: accepted and tentative attendees plus the organiser, the owner included
        count(distinct coalesce(person_id, identity_role)) filter (
            where party_role = 'organizer' or partstat in ('ACCEPTED', 'TENTATIVE')) as headcount
    from event_parties
    where identity_role in ('owner', 'person')
    group by event_key
),

meetings as (
    select
        m.start_at, p.person_id, 'meeting', 'both', m.event_key, null::varchar, m.headcount, m.duration_minutes,
        p.party_role,
        false, 3.0,
        case when m.headcount <= 2 then 3.0 when m.headcount <= 10 then 3.0 / (m.headcount - 1) else 0.1 end,
        case when m.headcount <= 2 then '1:1 meeting'
             when m.headcount <= 10 then 'meeting of ' || m.headcount || ' (3/(n-1))'
             else 'large meeting (' || m.headcount || ' people)' end
    from meeting_shape as m
    join event_parties as p using (event_key)
    where m.owner_attends and not m.is_cancelled
      and p.identity_role = 'person' and (p.party_role = 'organizer' or p.partstat in ('ACCEPTED', 'TENTATIVE'))
    qualify row_number() over (partition by m.event_key, p.person_id order by p.party_role desc) = 1
),

linkedin_parties as (
    select l.message_key, l.conversation_id, l.sent_at, s.role as sender_role, s.person_id as sender_person,
           len(l.recipient_urls) as recipient_count, r.role as recipient_role, r.person_id as recipient_person
    from stg_linkedin__messages as l
    left join identities as s on s.identity_key = coalesce('linkedin:' || linkedin_slug(l.sender_url),
                                                          'linkedin_name:' || fold_name(l.sender_name))
    left join (select message_key, unnest(recipient_urls) as url from stg_linkedin__messages) as u using (message_key)
    left join identities as r on r.identity_key = 'linkedin:' || linkedin_slug(u.url)
),

linkedin_messages as (
    select sent_at, recipient_person, 'linkedin_message', 'out', message_key, conversation_id, recipient_count, null,
           'to', recipient_count <= 4, 1.0, 1.0 / greatest(recipient_count, 1), 'LinkedIn message sent to ' || recipient_count || ' (1/m)'
    from linkedin_parties
    where sender_role = 'owner' and recipient_role = 'person'
    union all
    select distinct sent_at, sender_person, 'linkedin_message', 'in', message_key, conversation_id,
           recipient_count, null, 'from', recipient_count <= 4, 0.7, 0.7, 'LinkedIn message received'
    from linkedin_parties
    where sender_role = 'person'
),

connections as (
    select local_midnight(c.connected_on), i.person_id, 'linkedin_connection', 'both', c.connection_key, null,
           2, null, 'connection', false, 0.5, 0.5, 'LinkedIn connection made'
    from stg_linkedin__connections as c
    join identities as i on i.identity_key = 'linkedin:' || linkedin_slug(c.profile_url)
    where i.role = 'person'
),

invitations as (  -- recorded, but weightless: the connection counts once the invitation is accepted
    select i.sent_at, p.person_id, 'linkedin_invitation',
           case i.direction when 'outgoing' then 'out' else 'in' end, i.invitation_key, null, 2, null,
           'invitation', false, 0.0, 0.0,
           'LinkedIn invitation ' || case i.direction when 'outgoing' then 'sent' else 'received' end
               || ' (the connection counts once accepted)'
    from stg_linkedin__invitations as i
    join identities as p on p.identity_key = 'linkedin:' || linkedin_slug(
        case i.direction when 'outgoing' then i.invitee_url else i.inviter_url end)
    where p.role = 'person'
),

unioned as (
    select * from sent_mail
    union all select * from received_mail
    union all select * from meetings
    union all select * from linkedin_messages
    union all select * from connections
    union all select * from invitations
),

named as (
    select
        person_id,
        sent_at as occurred_at,
        channel,
        direction,
        case channel when 'email' then 'mbox' when 'meeting' then 'ics' else 'linkedin' end as source,
        message_key as source_ref,
        thread_ref,
        group_size,
        duration_minutes,
        party_role as role,
        is_direct,
        weight,
        weight_reason,
        undiscounted_weight,  -- the weight without the cc, group and large-meeting discounts (for ablations)
        -- at most one event per person, channel, direction and day counts (guards against reply storms)
        row_number() over (partition by person_id, channel, direction, local_day(sent_at)
                           order by weight desc, message_key) = 1 as counts_toward_score
    from unioned
    where person_id is not null
)

select * from named;
