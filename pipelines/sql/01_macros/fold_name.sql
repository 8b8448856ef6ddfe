-- A name folded for comparison: no accents, also on the letters that do not decompose (ı ł ø đ ð ß
-- æ œ þ), lower case, letters and single spaces only; apostrophes and hyphens join (O'Connor:
-- oconnor, Al-Najjar: alnajjar, as addresses write them). `german` spells umlauts out (Müller: mueller).
create or replace macro fold_name(name, german := false) as (
    nullif(trim(regexp_replace(regexp_replace(
        strip_accents(
            replace(replace(replace(replace(replace(replace(replace(replace(replace(
                case when german then replace(replace(replace(lower(name), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue')
                     else lower(name) end,
                'ı', 'i'), 'ł', 'l'), 'ø', 'o'), 'đ', 'd'), 'ð', 'd'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th')),
        '[''’‐-]+', '', 'g'), '[^a-z]+', ' ', 'g')), '')
);
