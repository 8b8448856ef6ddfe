-- A person's name as folded tokens, in "first ... last" order, from a display name as written
-- (`bare_name`): "Doe, Jane" is turned round, what follows a comma otherwise ("Jane Doe, MBA",
-- "Saleh, Certified Coach") is dropped, and so are titles.
create or replace macro name_tokens(written, german := false) as (
    list_transform([bare_name(written)], lambda name: list_filter(
        string_split(coalesce(fold_name(
            case when not contains(name, ',') then name
                 -- "Doe, Jane" or "Smith, Robert J.": a short name after the comma, not a credential
                 when regexp_matches(name, '^[^,]+,\s*[^,\s]+(\s+[^,\s]+)?$')
                      and not is_postnominal(split_part(name, ',', 2))
                 then split_part(name, ',', 2) || ' ' || split_part(name, ',', 1)
                 else split_part(name, ',', 1) end, german := german), ''), ' '),
        lambda token: token <> '' and not list_contains(
            ['mr', 'mrs', 'ms', 'dr', 'prof', 'mba', 'phd', 'cpa', 'cfa', 'pmp', 'md', 'msc', 'bsc', 'jr', 'sr', 'esq',
             'ii', 'iii'], token)))[1]
);
