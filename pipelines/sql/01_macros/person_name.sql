-- A display name as people write it: "Watson, Simon" turned round; anything else as it is.
create or replace macro person_name(name) as (
    case when regexp_matches(name, '^[^,@]+,\s*[^,\s]+(\s+[^,\s]+)?$')
              and not is_postnominal(split_part(name, ',', 2))
         then trim(split_part(name, ',', 2)) || ' ' || trim(split_part(name, ',', 1))
         else name end
);
