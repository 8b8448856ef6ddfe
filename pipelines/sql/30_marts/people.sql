-- One row per person (the owner excluded): who they are across every source, and when you last met.
create or replace view people as
with profiles as (  -- with the moments in touch before as_of()
    select * replace (list_filter(contact_times, lambda t: t < as_of()) as contact_times)
    from int_person_profiles
),

joined as (
    select
        person_id,
        full_name,
        company,
        primary_email,
        emails,
        position,
        linkedin_url,
        connected_on,
        list_min(contact_times) as first_interaction,
        list_max(contact_times) as last_interaction,
        is_pinned_close,
        identity_keys
    from profiles
)

select * from joined;
