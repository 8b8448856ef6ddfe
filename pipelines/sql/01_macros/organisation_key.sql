-- An organisation's name as a key: folded, legal forms (Inc, GmbH, LLP, ...) dropped, no spaces, so
-- that "Brightwave Analytics GmbH" and "Brightwave analytics" meet (and meet an address at
-- brightwave-analytics.com, whose key is `domain_key`).
create or replace macro organisation_key(name) as (
    nullif(array_to_string(list_filter(
        string_split(coalesce(fold_name(name), ''), ' '),
        lambda word: not list_contains(
            ['inc', 'incorporated', 'llc', 'ltd', 'limited', 'gmbh', 'mbh', 'ag', 'kg', 'se', 'sa', 'sas', 'sarl',
             'srl', 'spa', 'bv', 'nv', 'plc', 'corp', 'corporation', 'co', 'company', 'llp', 'lp', 'oy', 'oyj',
             'ab', 'as', 'asa', 'aps', 'pty', 'pvt', 'pte', 'kk', 'ug', 'ltda', 'sl', 'cie'], word)), ''), '')
);
