-- Insert new messages from the Gmail API; a message fetched again after a label change (history
-- labelAdded/labelRemoved) updates its labels, anything else seen again is a duplicate.
merge into raw_gmail__messages as t
using (
    with keyed as (
        select *, mail_message_key(message_id, header_hash) as message_key
        from batch
    )
    select distinct on (message_key) * exclude (_ordinal) from keyed order by message_key, _ordinal
) as s
on t.message_key = s.message_key
when matched and t.labels is distinct from s.labels
    then update set labels = s.labels, _origin = s._origin, _run_id = s._run_id, _loaded_at = s._loaded_at
when not matched then insert by name
returning merge_action;
