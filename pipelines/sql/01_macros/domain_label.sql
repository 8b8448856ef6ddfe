-- The organisation part of a mail domain: acme from mail.acme.co.uk, iron-studio from iron-studio.ae.
create or replace macro domain_label(domain) as (
    list_filter(
        string_split(domain, '.')[:-2],
        lambda label: not list_contains(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'or', 'ne', 'mail', 'www'], label)
    )[-1]
);
