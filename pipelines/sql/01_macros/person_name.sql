-- A display name as people write it: "Watson, Simon" turned round; anything else as it is.
create or replace macro person_name(name) as (
    case when regexp_matches(name, '^[^,@]+,\s*[^,\s]+(\s+[^,\s]+)?$')
              and not regexp_matches(lower(split_part(name, ',', 2)),
                                     '^\s*(mba|phd|ph\.\s?d\.?|cpa|cfa|pmp|md|msc|bsc|ma|jr|sr|esq|pe|ii|iii|cissp)\.?\s*$')
              and not regexp_matches(split_part(name, ',', 2), '^\s*[A-Z]{2,}\s*$')
         then trim(split_part(name, ',', 2)) || ' ' || trim(split_part(name, ',', 1))
         else name end
);
