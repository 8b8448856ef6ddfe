-- People matching what the user typed (`tiekeeper why`, `people show`, `at`): an e-mail address or a
-- LinkedIn profile URL finds its person; anything else is a name or part of one, matched among every
-- name a person goes by with accents and case folded on both sides (name_matches), or part of an
-- address. Exact identities first, then the most recently in touch.
with query as (
    select trim($query) as text, email_key(trim($query)) as address, linkedin_slug(trim($query)) as slug
),

exact as (
    select i.person_id, 0 as rank
    from identities as i, query as q
    where i.role = 'person' and (i.identity_key = 'email:' || q.address or i.identity_key = 'linkedin:' || q.slug)
),

names as (  -- the name each person is shown with, and every name their identities go by
    select person_id, full_name as name from people
    union all
    select person_id, display_name from identities where role = 'person' and display_name is not null
),

by_name as (
    select n.person_id, 1 as rank
    from names as n, query as q
    where q.slug is null and name_matches(n.name, q.text)
),

by_address as (  -- part of an address: "jane@", "acme.com"
    select i.person_id, 2 as rank
    from identities as i, query as q
    where i.role = 'person' and i.kind = 'email' and q.slug is null and contains(i.identity_key, lower(q.text))
),

found as (
    select person_id, min(rank) as rank
    from (select * from exact union all select * from by_name union all select * from by_address)
    where person_id is not null
    group by person_id
)

select f.person_id
from found as f
join people as p using (person_id)
order by f.rank, p.last_interaction desc nulls last, p.full_name, f.person_id
