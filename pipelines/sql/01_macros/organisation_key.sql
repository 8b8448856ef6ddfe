-- An organisation's name as a key: its `company_letters` (folded, legal forms dropped, no spaces), so
-- that "Brightwave Analytics GmbH" and "Brightwave analytics" meet (and meet an address at
-- brightwave-analytics.com, whose key is `domain_key`).
create or replace macro organisation_key(name) as (
    nullif(company_letters(name), '')
);
