-- E-mail messages from Outlook (Microsoft Graph): header metadata only, one row per message.
-- Outlook's state is read as Gmail's labels, in Takeout's names, so that rules and models read one
-- vocabulary whichever mailbox a message came from (docs/schema.md lists the mapping):
--   folder Inbox -> 'Inbox', Sent Items -> 'Sent', Archive -> 'Archive', a user folder -> its name;
--   importance high -> 'Important'; flagged -> 'Starred'; unread -> 'Unread';
--   Focused Inbox: focused -> 'Category Personal', other -> 'Category Updates';
--   each Outlook category -> its name, as a Gmail user label.
-- A message in several folders (sent to oneself) is one message with the labels of all its copies.
create or replace view stg_outlook__messages as
with source as (
    select * from raw_outlook__messages
),

labelled as (
    select
        *,
        list_distinct(list_concat(
            [folder],
            case when importance = 'high' then ['Important'] else [] end,
            case when flag_status = 'flagged' then ['Starred'] else [] end,
            case when is_read = false then ['Unread'] else [] end,
            case inference_classification when 'focused' then ['Category Personal']
                                          when 'other' then ['Category Updates'] else [] end,
            coalesce(categories, [])
        )) as item_labels
    from source
),

messages as (  -- the copies of one message: the earliest received speaks for them, labels are pooled
    select
        message_key,
        arg_min(columns(* exclude (message_key, has_list_unsubscribe, size_bytes, _run_id, item_labels, item_id,
                                   folder_id, folder, received_at, importance, is_read, flag_status, categories,
                                   inference_classification, has_attachments)),
                (received_at, item_id)),
        null::varchar as gmail_id,
        list_sort(list_distinct(flatten(list(item_labels)))) as labels,
        bool_or(has_list_unsubscribe) as has_list_unsubscribe,
        max(size_bytes) as size_bytes,
        max(_run_id) as _run_id
    from labelled
    group by message_key
)

select * from stg_mail_messages('messages');
