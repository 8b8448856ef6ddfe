-- Each whole name's identities, for pipelines/namesakes.py: which are LinkedIn profiles, and how many
-- namesakes the name's frequency expects here (as sql/people/identity_candidates.sql reckons them for
-- a whole name); and the pairs of them whose evidence is certain.
create or replace temp table name_groups as
select p.first_name, p.last_name,
       list(p.identity_key order by p.identity_key) as identity_keys,
       list(p.kind = 'linkedin_url' order by p.identity_key) as is_profile,
       any_value(t.names * s.factor * f.share * l.share + s.excess) as namesakes
from identity_profiles as p
cross join identity_totals as t
cross join namesake_scale as s
join name_shares as f on f.kind = 'first' and f.name = p.first_name
join name_shares as l on l.kind = 'last' and l.name = p.last_name
where p.role = 'person' and p.first_name is not null and p.last_name is not null
group by all
order by all;

-- what the group's pairs say beside the name: one person's, as a source says (an address-book card,
-- LinkedIn's own address) or as their company and mail say surely enough to merge; two people's, on
-- one message or in one meeting, or two addresses of a name told apart by a number. (Two companies
-- that nothing links are not taken as two people here: people change jobs.)
create or replace temp table name_group_evidence as
with pairs as (
    select left_key, right_key, true as is_together from identity_links
    union all
    select left_key, right_key, true from identity_candidates
    where score >= getvariable('merge_score') and not is_role_address and not (needs_link and not has_link)
      and not (name_level = 'same name' and company_level in ('personal address', 'unknown'))
    union all
    select left_key, right_key, false from identity_conflicts
    union all
    select left_key, right_key, false from identity_numbered_accounts
)

select distinct least(x.left_key, x.right_key) as left_key, greatest(x.left_key, x.right_key) as right_key,
       x.is_together, l.first_name, l.last_name
from pairs as x
join identity_profiles as l on l.identity_key = x.left_key
join identity_profiles as r on r.identity_key = x.right_key
where l.role = 'person' and r.role = 'person' and l.first_name = r.first_name and l.last_name = r.last_name;
