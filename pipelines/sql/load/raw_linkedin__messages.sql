-- Insert new LinkedIn messages; the same message in a later export is a duplicate.
merge into raw_linkedin__messages as t
using (
    with keyed as (
        select *, md5(concat_ws('|', conversation_id, sent_at::varchar, coalesce(sender_url, sender_name),
                                recipient_names, subject)) as message_key
        from batch
    )
    select distinct on (message_key) * exclude (_ordinal) from keyed order by message_key, _ordinal
) as s
on t.message_key = s.message_key
when not matched then insert by name
returning merge_action;
