-- E-mail messages from mbox exports: header metadata only.
create or replace view stg_mbox__messages as
with source as (
    select * from raw_mbox__messages
),

renamed as (
    select
        message_key,
        message_id,
        gmail_id,
        thread_id,
        in_reply_to,
        "references" as reference_ids,
        sent_at,
        from_addr as from_address,
        reply_to as reply_to_addresses,
        "to" as to_addresses,
        cc as cc_addresses,
        bcc as bcc_addresses,
        len("to") + len(cc) as recipient_count,
        subject,
        labels,
        list_contains(labels, 'Sent') as has_sent_label,
        list_id,
        has_list_unsubscribe,
        precedence,
        auto_submitted,
        size_bytes,
        _origin as origin,
        _run_id as run_id
    from source
)

select * from renamed;
