-- Address-book cards: renamed and tidied, one row per card.
create or replace view stg_contacts__cards as
with source as (
    select * from raw_contacts__cards
),

renamed as (
    select
        card_key,
        nullif(trim(full_name), '') as full_name,
        given_name,
        family_name,
        nickname,
        nullif(trim(organization), '') as organization,
        title,
        emails,
        phones,
        linkedin_url,
        format,
        _origin as origin,
        _run_id as run_id
    from source
)

select * from renamed;
