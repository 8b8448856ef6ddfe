-- A display name without what mail programs and people add to it: pronouns, tags and companies in
-- brackets ("Jane Doe (she/her)", "Doe, Jane [EXT]", "Jane Doe (Acme)", "Jane Doe <jane@acme.com>"),
-- what follows a bar, a dash or "via" ("Jane Doe | Acme", "Jane Doe - Sales", "'Jane Doe' via Team"),
-- a Lotus Notes path ("Drew Fossum/ET&S/Enron"), and quotes. A name that is all of that stays as it was.
create or replace macro bare_name(name) as (
    coalesce(nullif(trim(regexp_replace(regexp_replace(regexp_replace(name,
        '\s*[(\[{<][^)\]}>]*[)\]}>]', ' ', 'g'),
        '\s+(\||-|–|—|via)\s.*$|/.*$', ''),
        '^[\s''"]+|[\s''"]+$', '', 'g')), ''), name)
);
