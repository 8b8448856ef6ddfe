-- The owner's own identities: the configured addresses plus the aliases the data proves.
create or replace view int_owner_identities as
with settings as (
    select * from owner_settings
),

configured as (
    select 'email:' || email_key(unnest(emails)) as identity_key, 'listed in [owner] emails' as evidence
    from settings
),

sent_aliases as (  -- another address the owner sends from: mail labelled Sent, under the owner's name
    select distinct 'email:' || email_key(m.from_address.email), 'sends mail labelled Sent under the owner''s name'
    from int_mail_messages_classified as m, settings as s
    where m.has_sent_label and fold_name(m.from_address.name) = fold_name(s.name)
),

invitation_side as (  -- the owner's profile is the inviter of invitations sent, the invitee of those received
    select distinct 'linkedin:' || linkedin_slug(case direction when 'outgoing' then inviter_url else invitee_url end),
           'the owner''s side of LinkedIn invitations'
    from stg_linkedin__invitations
    where linkedin_slug(case direction when 'outgoing' then inviter_url else invitee_url end) is not null
),

linkedin_named as (  -- LinkedIn messages sent or received under the owner's name (old exports have no URLs)
    select distinct
        coalesce('linkedin:' || linkedin_slug(sender_url), 'linkedin_name:' || fold_name(sender_name)),
        'sends LinkedIn messages under the owner''s name'
    from stg_linkedin__messages, settings as s
    where fold_name(sender_name) = fold_name(s.name)
    union all
    select distinct 'linkedin:' || linkedin_slug(recipient_urls[1]), 'receives LinkedIn messages under the owner''s name'
    from stg_linkedin__messages, settings as s
    where len(recipient_urls) = 1 and fold_name(recipient_names) = fold_name(s.name)
),

unioned as (
    select * from configured
    union all select * from sent_aliases
    union all select * from invitation_side
    union all select * from linkedin_named
)

select identity_key, string_agg(distinct evidence, '; ' order by evidence) as evidence
from unioned
where identity_key is not null
group by identity_key;
