-- Organisations matching what the user typed (`tiekeeper at`): a name or part of one, folded as names
-- are (name_matches), or a mail domain, typed as acme.com, @acme.com or an address there.
-- The most people known first.
with query as (
    select trim($query) as text, lower(regexp_replace(trim($query), '^.*@', '')) as domain
)

select c.organisation_key
from companies as c, query as q
where name_matches(c.company, q.text)
   or list_contains(c.domains, q.domain)
   or organisation_key(q.text) = c.organisation_key
   or (contains(q.domain, '.') and domain_key(q.domain) = c.organisation_key)
order by c.people_known desc, c.company, c.organisation_key
