-- LinkedIn messages: who and when, never what (the text is not stored).
create or replace view stg_linkedin__messages as
with source as (
    select * from raw_linkedin__messages
),

renamed as (
    select
        message_key,
        conversation_id,
        conversation_title,
        sender_name,
        sender_url,
        recipient_names,
        recipient_urls,
        sent_at,
        subject,
        folder,
        lower(direction) as export_direction,   -- 'incoming' / 'outgoing' where the export says
        is_draft,
        _origin as origin,
        _run_id as run_id
    from source
)

select * from renamed;
