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
        arg_min(message_id, (received_at, item_id)) as message_id,
        arg_min(thread_id, (received_at, item_id)) as thread_id,
        arg_min(in_reply_to, (received_at, item_id)) as in_reply_to,
        arg_min("references", (received_at, item_id)) as reference_ids,
        arg_min(sent_at, (received_at, item_id)) as sent_at,
        arg_min(from_addr, (received_at, item_id)) as from_address,
        arg_min(reply_to, (received_at, item_id)) as reply_to_addresses,
        arg_min("to", (received_at, item_id)) as to_addresses,
        arg_min(cc, (received_at, item_id)) as cc_addresses,
        arg_min(bcc, (received_at, item_id)) as bcc_addresses,
        arg_min(subject, (received_at, item_id)) as subject,
        list_sort(list_distinct(flatten(list(item_labels)))) as labels,
        arg_min(list_id, (received_at, item_id)) as list_id,
        bool_or(has_list_unsubscribe) as has_list_unsubscribe,
        arg_min(precedence, (received_at, item_id)) as precedence,
        arg_min(auto_submitted, (received_at, item_id)) as auto_submitted,
        max(size_bytes) as size_bytes,
        arg_min(_origin, (received_at, item_id)) as origin,
        max(_run_id) as run_id
    from labelled
    group by message_key
),

renamed as (
    select
        message_key,
        message_id,
        null::varchar as gmail_id,
        thread_id,
        in_reply_to,
        reference_ids,
        sent_at,
        from_address,
        reply_to_addresses,
        to_addresses,
        cc_addresses,
        bcc_addresses,
        len(to_addresses) + len(cc_addresses) as recipient_count,
        subject,
        labels,
        list_contains(labels, 'Sent') as has_sent_label,
        list_id,
        has_list_unsubscribe,
        precedence,
        auto_submitted,
        size_bytes,
        origin,
        run_id
    from messages
)

select * from renamed;
