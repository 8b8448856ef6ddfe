-- A company's name without its legal form, letters only, to compare with a mail domain: Otter Games
-- Ltd. -> ottergames. `german` spells umlauts out, as German domains do: Jäkel GbR -> jaekel. A form
-- is known with or without its dots (S.L., B.V., S.p.A.).
create or replace macro company_letters(name, german := false) as (
    array_to_string(list_filter(string_split(coalesce(
            fold_name(regexp_replace(name, '(\pL)\.', '\1', 'g'), german := german), ''), ' '),
        lambda word: word <> '' and not list_contains(
            ['inc', 'incorporated', 'llc', 'ltd', 'limited', 'gmbh', 'mbh', 'ag', 'kg', 'se', 'sa', 'sas', 'sarl',
             'srl', 'spa', 'bv', 'nv', 'plc', 'corp', 'corporation', 'co', 'company', 'llp', 'lp', 'oy', 'oyj',
             'ab', 'as', 'asa', 'aps', 'pty', 'pvt', 'pte', 'kk', 'ug', 'ltda', 'sl', 'cie', 'gbr', 'mbb', 'partg',
             'hb', 'group', 'holding', 'holdings', 'the'], word)), '')
);
