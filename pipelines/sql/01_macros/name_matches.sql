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
