-- Looking things up as people type them, and organisations as their names and addresses spell them.

-- Whether `name` answers what the user typed: every word of `query` is in the name, compared folded
-- on both sides (zoe muller finds Zoë Müller), or with umlauts spelt out on both sides (Zoe Mueller);
-- a name in another script (王伟) is compared as typed, in lower case.
create or replace macro name_matches(name, query) as (
    coalesce(list_bool_and(list_transform(string_split(fold_name(query), ' '),
                                          lambda word: contains(fold_name(name), word))), false)
    or coalesce(list_bool_and(list_transform(string_split(fold_name(query, german := true), ' '),
                                             lambda word: contains(fold_name(name, german := true), word))), false)
    or coalesce(contains(lower(name), lower(trim(query))), false)
);

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

-- A mail domain's organisation as a key comparable with `organisation_key`: iron-studio.ae: ironstudio.
create or replace macro domain_key(domain) as (
    nullif(regexp_replace(coalesce(domain_label(lower(domain)), ''), '[^a-z0-9]', '', 'g'), '')
);
