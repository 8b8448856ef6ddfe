-- Every message between people (e-mail that is not automated, LinkedIn messages that are neither
-- drafts, spam nor ads) in its thread, with its sender and recipients resolved to identities.
-- Threads: the Gmail thread id, else the root of the In-Reply-To/References chain, else the
-- message itself; on LinkedIn the conversation.
-- Materialised: a table every writing run rebuilds (warehouse.refresh_tables), read by the views.
create or replace table int_threads as
with mail as (
    select * from int_mail_messages_classified where not is_automated
),

mail_links as (  -- each message's parent: References start at the root, In-Reply-To names the parent
    select message_id, coalesce(reference_ids[1], in_reply_to) as parent_id, thread_id is null as needs_root
    from int_mail_messages
    where message_id is not null
),

chain_roots as (  -- climbed parent by parent, for clients that send In-Reply-To without References;
    -- only from mail without a thread id of its own (Gmail's), the only mail that needs a root
    with recursive climb(message_id, root_id, depth) as (
        select message_id, message_id, 0 from mail_links where needs_root
        union all
        select c.message_id, l.parent_id, c.depth + 1
        from climb as c join mail_links as l on l.message_id = c.root_id
        where l.parent_id is not null and l.parent_id <> c.root_id and c.depth < 50
    )
    select message_id, arg_max(root_id, depth) as root_id from climb group by message_id
),

mail_threaded as (
    select
        'email' as channel,
        coalesce(m.thread_id, r.root_id, m.message_key) as thread_ref,
        m.message_key as message_ref,
        '<' || m.in_reply_to || '>' as replied_ref,   -- as message_key writes a Message-ID
        m.sent_at,
        m.subject,
        'email:' || email_key(m.from_address.email) as sender_key,
        list_concat(
            list_transform(m.to_addresses, lambda a: {'field': 'to', 'identity_key': 'email:' || email_key(a.email)}),
            list_transform(m.cc_addresses, lambda a: {'field': 'cc', 'identity_key': 'email:' || email_key(a.email)}),
            list_transform(m.bcc_addresses, lambda a: {'field': 'bcc', 'identity_key': 'email:' || email_key(a.email)})
        ) as recipient_keys,
        m.recipient_count as direct_recipients,
        m.labels,
        m.size_bytes
    from mail as m
    left join chain_roots as r using (message_id)
),

linkedin as (
    select * from stg_linkedin__messages
    where not is_draft
      and folder is distinct from 'SPAM'
      and conversation_title is distinct from 'Sponsored Conversation'
),

linkedin_threaded as (
    select
        'linkedin',
        coalesce(conversation_id, message_key),
        message_key,
        null::varchar,   -- LinkedIn says nothing of replies: see `replied_ref` below
        sent_at,
        coalesce(nullif(subject, ''), nullif(conversation_title, '')),
        coalesce('linkedin:' || linkedin_slug(sender_url), 'linkedin_name:' || fold_name(sender_name)),
        case when len(recipient_urls) > 0
             then list_transform(recipient_urls, lambda u: {'field': 'to', 'identity_key': 'linkedin:' || linkedin_slug(u)})
             -- exports before 2024 name the recipients without profile URLs
             else [{'field': 'to', 'identity_key': 'linkedin_name:' || fold_name(recipient_names)}]
        end,
        greatest(len(recipient_urls), 1),
        []::varchar[],   -- LinkedIn has no labels, and says nothing of a message's size
        null::bigint
    from linkedin
),

unioned as (
    select * from mail_threaded
    union all
    select * from linkedin_threaded
),

resolved as (  -- the parties as identities: whose they are (a person, the owner, automated, ignored)
    select
        u.* exclude (recipient_keys),
        s.role as sender_role,
        s.person_id as sender_person_id,
        -- sorted: a list aggregated from a join comes in no fixed order (an ordered aggregate costs memory)
        coalesce(list_sort((
            select list({'field': k.field, 'identity_key': k.identity_key, 'role': i.role, 'person_id': i.person_id})
            from unnest(u.recipient_keys) as t(k) left join identities as i on i.identity_key = k.identity_key
        )), []) as recipients
    from unioned as u
    left join identities as s on s.identity_key = u.sender_key
),

flagged as (
    select
        * exclude (replied_ref),
        -- without In-Reply-To, a message answers the one before it in its thread
        coalesce(replied_ref, lag(message_ref) over (partition by channel, thread_ref order by sent_at, message_ref))
            as replied_ref,
        coalesce(sender_role = 'owner', false) as is_from_owner,
        len(list_filter(recipients, lambda r: r.field = 'to' and r.role = 'owner')) > 0 as is_owner_in_to,
        list_distinct(list_transform(list_filter(recipients, lambda r: r.field = 'to' and r.role = 'person'),
                                     lambda r: r.person_id)) as to_person_ids,
        list_distinct(list_transform(list_filter(recipients, lambda r: r.role = 'person'), lambda r: r.person_id))
            as recipient_person_ids,
        len(list_filter(recipients, lambda r: r.role is distinct from 'owner')) = 0 as is_to_owner_only
    from resolved
)

select * from flagged;
