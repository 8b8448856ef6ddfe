-- A company's name without its legal form, letters only, to compare with a mail domain: Otter Games
-- Ltd. -> ottergames. `german` spells umlauts out, as German domains do: Jäkel GbR -> jaekel.
create or replace macro company_letters(name, german := false) as (
    array_to_string(list_filter(string_split(coalesce(fold_name(name, german := german), ''), ' '),
        lambda word: word <> '' and not list_contains(
            ['inc', 'gmbh', 'ltd', 'llc', 'ag', 'sa', 'bv', 'nv', 'plc', 'co', 'corp', 'corporation', 'group', 'company',
             'limited', 'the', 'se', 'srl', 'oy', 'ab', 'as', 'kg', 'spa', 'sarl', 'sas', 'holding', 'holdings',
             'gbr', 'mbh', 'mbb', 'partg', 'llp', 'ug', 'hb'], word)), '')
);
