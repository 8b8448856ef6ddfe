-- What does not count as an interaction, and how much of it there is: nothing is dropped silently.
create or replace view interactions_excluded as
with mail as (
    select * from int_mail_messages_classified where sent_at < as_of()
),

owner_keys as (
    select identity_key from identities where role = 'owner'
),

own_mail as (  -- mail whose every party is one of the owner's own addresses
    select m.message_key
    from mail as m,
         lateral (select unnest(list_concat([m.from_address], m.to_addresses, m.cc_addresses)) as party) as p
    where not m.is_automated
    group by m.message_key
    having bool_and('email:' || email_key(p.party.email) in (select identity_key from owner_keys))
),

events as (
    select * from int_calendar_events where not is_all_day
),

declined as (  -- meetings the owner said no to
    select distinct e.event_key
    from events as e, lateral (select unnest(e.attendees) as a) as x
    where x.a.partstat = 'DECLINED' and 'email:' || email_key(x.a.email) in (select identity_key from owner_keys)
),

reasons as (
    select 'e-mail' as kind, automated_reason as reason from mail where is_automated
    union all select 'e-mail', 'only between your own addresses' from own_mail
    union all select 'meeting', 'cancelled' from events where is_cancelled and start_at < as_of()
    union all select 'meeting', 'declined by you' from events
              where event_key in (select event_key from declined) and not is_cancelled and start_at < as_of()
    union all select 'meeting', 'in the future' from events where start_at >= as_of() and not is_cancelled
),

final as (
    select kind, regexp_replace(reason, ' \(.*@.*\)$', '') as reason, count(*) as items
    from reasons
    group by all
)

select * from final order by kind, items desc;
