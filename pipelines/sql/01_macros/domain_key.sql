-- A mail domain's organisation as a key comparable with `organisation_key`: iron-studio.ae: ironstudio.
create or replace macro domain_key(domain) as (
    nullif(regexp_replace(coalesce(domain_label(lower(domain)), ''), '[^a-z0-9]', '', 'g'), '')
);
