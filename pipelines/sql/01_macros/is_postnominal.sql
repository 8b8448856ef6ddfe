-- Whether what follows a name's comma is a credential, not a first name: "Jane Doe, MBA", "Henderson,
-- LL.M.", "Smith, Ph.D.", "Doe, CISSP" (capitals only), where "Doe, Jane" is a name turned round.
create or replace macro is_postnominal(text) as (
    regexp_matches(lower(text), '^\s*(mba|phd|ph\.\s?d\.?|cpa|cfa|pmp|md|msc|bsc|ma|jr|sr|esq|pe|ii|iii|cissp)\.?\s*$')
    or regexp_matches(text, '^\s*[A-Z]{2,}\s*$')
    or regexp_matches(text, '^\s*\S*[A-Za-z]\.-?[A-Za-z]\S*\s*$')  -- a dotted abbreviation: LL.M., M.Sc., Dipl.-Ing.
);
