-- Every e-mail once, from the Takeout mbox exports and the Gmail API together: a message seen in
-- both is one message (the same Message-ID, or without one the same Gmail id).
create or replace view int_mail_messages as
with unioned as (
    select *, 'mbox' as source, 2 as preference from stg_mbox__messages
    union all by name
    select *, 'gmail' as source, 1 as preference from stg_gmail__messages
),

deduplicated as (
    select * exclude (preference)
    from unioned
    qualify row_number() over (
        partition by coalesce('<' || message_id || '>', 'gmail:' || gmail_id, message_key)
        order by preference) = 1  -- the API's copy has the current labels
)

select * from deduplicated;
