-- Every e-mail once, from the Takeout mbox exports, the Gmail API and Outlook (Microsoft Graph)
-- together: a message seen in several is one message (the same Message-ID, or without one the same
-- Gmail id). A message deleted in Gmail is gone, its Takeout copy too.
create or replace view int_mail_messages as
with unioned as not materialized (
    select *, 'mbox' as source, 3 as preference from stg_mbox__messages
    union all by name
    select *, 'gmail' as source, 1 as preference from stg_gmail__messages
    union all by name
    select *, 'outlook' as source, 2 as preference from stg_outlook__messages
),

kept as (  -- which copy of each message stays: chosen on the keys alone, as sorting whole messages is slow
    select source, message_key
    from unioned as u
    where not exists (select 1 from stg_gmail__deletions as d where d.gmail_id = u.gmail_id)
    qualify row_number() over (
        partition by coalesce('<' || message_id || '>', 'gmail:' || gmail_id, message_key)
        order by preference, message_key) = 1  -- an API's copy has the current labels
)

select * exclude (preference)
from unioned
semi join kept using (source, message_key);  -- a message key is unique within its source
