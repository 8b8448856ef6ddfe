-- LinkedIn connections: renamed and tidied, one row per connection (hidden members included).
create or replace view stg_linkedin__connections as
with source as (
    select * from raw_linkedin__connections
),

renamed as (
    select
        connection_key,
        nullif(trim(first_name || ' ' || last_name), '') as full_name,
        nullif(first_name, '') as first_name,
        nullif(last_name, '') as last_name,
        profile_url,
        lower(email) as email,
        company,
        position,
        connected_on,
        first_name = '' and last_name = '' as is_hidden_member,
        _origin as origin,
        _run_id as run_id
    from source
)

select * from renamed;
