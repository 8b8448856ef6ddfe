-- Every appearance of a party (an e-mail address, a LinkedIn profile, a LinkedIn name without a
-- profile) in any source: the raw material of identity resolution and of first/last interaction.
-- Address-book cards are sightings without a time: they say who an address is, not when you met.
create or replace view int_identity_sightings as
with messages as (
    -- filed away by Gmail's categories; Outlook's Other is not counted here: its Focused Inbox sorts
    -- by whom one knows (a first mail from a new person lands in Other), not by what a message is
    select *, is_filed_as_bulk(labels) and source <> 'outlook' as is_filed_as_bulk from int_mail_messages_classified
),

mail_parties as (
    select message_key as ref, coalesce(thread_id, message_key) as thread_ref, sent_at as occurred_at, is_automated,
           is_filed_as_bulk, 'from' as role, from_address as party
    from messages where from_address is not null
    union all
    select message_key, coalesce(thread_id, message_key), sent_at, is_automated, is_filed_as_bulk, 'to',
           unnest(to_addresses) from messages
    union all
    select message_key, coalesce(thread_id, message_key), sent_at, is_automated, is_filed_as_bulk, 'cc',
           unnest(cc_addresses) from messages
    union all
    select message_key, coalesce(thread_id, message_key), sent_at, is_automated, is_filed_as_bulk, 'bcc',
           unnest(bcc_addresses) from messages
    union all
    select message_key, coalesce(thread_id, message_key), sent_at, is_automated, is_filed_as_bulk, 'reply_to',
           unnest(reply_to_addresses) from messages
),

mail as (
    select 'email:' || mailbox as identity_key, 'email' as kind, party.email as raw_value,
           nullif(trim(party.name), '') as display_name, 'mbox' as source, role, ref, occurred_at,
           is_automated, null::varchar as company, null::varchar as position, null::date as connected_on,
           thread_ref, is_filed_as_bulk
    from (select *, email_key(party.email) as mailbox from mail_parties)  -- keyed once: the costly part
    where mailbox is not null
),

events as (
    select * from int_calendar_events
),

calendar as (
    select 'email:' || email_key(organizer.email), 'email', organizer.email, organizer.name, 'ics', 'organizer',
           event_key, start_at, false, null, null, null, null, null
    from events where organizer is not null
    union all
    select 'email:' || email_key(attendee.email), 'email', attendee.email, attendee.name, 'ics',
           'attendee:' || coalesce(lower(attendee.partstat), 'needs-action'), event_key, start_at,
           coalesce(attendee.cutype in ('ROOM', 'RESOURCE'), false), null, null, null, null, null
    from (select event_key, start_at, unnest(attendees) as attendee from events)
),

connections as (
    select
        case when linkedin_slug(profile_url) is not null then 'linkedin:' || linkedin_slug(profile_url)
             else 'linkedin_name:' || fold_name(full_name) end,
        case when linkedin_slug(profile_url) is not null then 'linkedin_url' else 'linkedin_name' end,
        coalesce(profile_url, full_name), full_name, 'linkedin', 'connection', connection_key,
        local_midnight(connected_on), false, company, position, connected_on, null, null
    from stg_linkedin__connections
    where not is_hidden_member
    union all  -- an address the connection shares is the same person by LinkedIn's own word
    select 'email:' || email_key(email), 'email', email, full_name, 'linkedin', 'connection_email', connection_key,
           local_midnight(connected_on), false, company, position, connected_on, null, null
    from stg_linkedin__connections
    where email_key(email) is not null
),

linkedin_messages as (
    select
        case when linkedin_slug(sender_url) is not null then 'linkedin:' || linkedin_slug(sender_url)
             else 'linkedin_name:' || fold_name(sender_name) end,
        case when linkedin_slug(sender_url) is not null then 'linkedin_url' else 'linkedin_name' end,
        coalesce(sender_url, sender_name), sender_name, 'linkedin', 'sender', message_key, sent_at, false,
        null, null, null, null, null
    from stg_linkedin__messages
    where coalesce(linkedin_slug(sender_url), fold_name(sender_name)) is not null
      and sender_name is distinct from 'LinkedIn Member'
    union all
    select 'linkedin:' || linkedin_slug(url), 'linkedin_url', url,
           case when len(recipient_urls) = 1 then recipient_names end, 'linkedin', 'recipient', message_key,
           sent_at, false, null, null, null, null, null
    from (select *, unnest(recipient_urls) as url from stg_linkedin__messages)
    where linkedin_slug(url) is not null
),

invitations as (
    select 'linkedin:' || linkedin_slug(inviter_url), 'linkedin_url', inviter_url, sender_name, 'linkedin',
           'inviter', invitation_key, sent_at, false, null, null, null, null, null
    from stg_linkedin__invitations where linkedin_slug(inviter_url) is not null
    union all
    select 'linkedin:' || linkedin_slug(invitee_url), 'linkedin_url', invitee_url, recipient_name, 'linkedin',
           'invitee', invitation_key, sent_at, false, null, null, null, null, null
    from stg_linkedin__invitations where linkedin_slug(invitee_url) is not null
),

cards as (  -- an address-book card: each address, and the LinkedIn profile it links to
    select 'email:' || email_key(email), 'email', email, full_name, 'contacts', 'card', card_key, null::timestamptz,
           false, organization, title, null::date, null, null
    from (select *, unnest(emails) as email from stg_contacts__cards)
    where email_key(email) is not null
    union all
    select 'linkedin:' || linkedin_slug(linkedin_url), 'linkedin_url', linkedin_url, full_name, 'contacts', 'card',
           card_key, null, false, organization, title, null, null, null
    from stg_contacts__cards
    where linkedin_slug(linkedin_url) is not null
),

unioned as (
    select * from mail
    union all select * from calendar
    union all select * from connections
    union all select * from linkedin_messages
    union all select * from invitations
    union all select * from cards
)

select * from unioned;
