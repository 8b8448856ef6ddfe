-- Upsert mailbox items: Graph's delta sends an item again whenever it changed (moved, read, flagged),
-- so a stored item takes the new version; an unchanged one is a duplicate.
merge into raw_outlook__messages as t
using (
    with keyed as (
        select *, coalesce('<' || message_id || '>', 'sha256:' || header_hash) as message_key
        from batch
    )
    select distinct on (item_id) * exclude (_ordinal) from keyed order by item_id, _ordinal desc
) as s
on t.item_id = s.item_id
when matched and (t.folder_id, t.folder, t.importance, t.is_read, t.flag_status, t.categories,
                  t.inference_classification, t.message_key)
        is distinct from (s.folder_id, s.folder, s.importance, s.is_read, s.flag_status, s.categories,
                          s.inference_classification, s.message_key)
    then update set *
when not matched then insert by name
returning merge_action;
