-- Insert new messages. Overlapping exports share Message-IDs; without one, the header hash decides.
merge into raw_mbox__messages as t
using (
    with keyed as (
        select *, coalesce('<' || message_id || '>', 'sha256:' || header_hash) as message_key
        from batch
    )
    select distinct on (message_key) * exclude (_ordinal) from keyed order by message_key, _ordinal
) as s
on t.message_key = s.message_key
when not matched then insert by name
returning merge_action;
