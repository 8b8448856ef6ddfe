-- Upsert mailbox items: Graph's delta sends an item again whenever it changed (moved, read, flagged),
-- so a stored item takes the new version; an unchanged one is a duplicate.
merge into raw_outlook__messages as t
using (
    with keyed as (
        select *, mail_message_key(message_id, header_hash) as message_key
        from batch
    )
    select distinct on (item_id) * exclude (_ordinal) from keyed order by item_id, _ordinal desc
) as s
on t.item_id = s.item_id
when matched and (t.folder_id, t.folder, t.importance, t.is_read, t.flag_status, t.categories,
                  t.inference_classification, t.message_key)
        is distinct from (s.folder_id, s.folder, s.importance, s.is_read, s.flag_status, s.categories,
                          s.inference_classification, s.message_key)
    then update set folder_id = s.folder_id, folder = s.folder, message_key = s.message_key,
                    message_id = s.message_id, header_hash = s.header_hash, thread_id = s.thread_id,
                    in_reply_to = s.in_reply_to, "references" = s."references", sent_at = s.sent_at,
                    received_at = s.received_at, from_addr = s.from_addr, reply_to = s.reply_to,
                    "to" = s."to", cc = s.cc, bcc = s.bcc, subject = s.subject, list_id = s.list_id,
                    has_list_unsubscribe = s.has_list_unsubscribe, precedence = s.precedence,
                    auto_submitted = s.auto_submitted, size_bytes = s.size_bytes, importance = s.importance,
                    is_read = s.is_read, flag_status = s.flag_status, categories = s.categories,
                    inference_classification = s.inference_classification,
                    has_attachments = s.has_attachments, _origin = s._origin, _run_id = s._run_id,
                    _loaded_at = s._loaded_at
when not matched then insert by name
returning merge_action;
