-- Mail that is not a relationship, counted by why: newsletters, lists, notifications, auto-replies, spam.
create or replace view automated_mail as
with messages as (
    select * from int_mail_messages_classified where is_automated
),

counted as (
    select
        regexp_replace(automated_reason, ' \(.*@.*\)$', '') as reason,   -- one row for all automated senders
        count(*) as messages,
        count(distinct from_address.email) as senders,
        min(sent_at) as first_sent_at,
        max(sent_at) as last_sent_at
    from messages
    group by all
)

select * from counted order by messages desc;
