-- LinkedIn invitations, sent and received.
create or replace view stg_linkedin__invitations as
with source as (
    select * from raw_linkedin__invitations
),

renamed as (
    select
        invitation_key,
        sender_name,
        recipient_name,
        sent_at,
        lower(direction) as direction,   -- 'incoming' / 'outgoing'
        has_message,
        inviter_url,
        invitee_url,
        _origin as origin,
        _run_id as run_id
    from source
)

select * from renamed;
