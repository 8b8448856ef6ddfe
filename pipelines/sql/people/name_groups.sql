-- Each whole name's identities, for pipelines/namesakes.py: which are LinkedIn profiles, and how many
-- namesakes the name's frequency expects here and how many whatever the name (as
-- sql/people/identity_candidates.sql reckons them for a whole name, whose sum it weighs); and the
-- pairs of them whose evidence is certain.
create or replace temp table name_groups as
select p.first_name, p.last_name,
       list(p.identity_key order by p.identity_key) as identity_keys,
       list(p.kind = 'linkedin_url' order by p.identity_key) as is_profile,
       any_value(t.names * s.factor * f.share * l.share) as namesakes,
       any_value(s.excess) as excess
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
with grouped as (  -- the identities of names that more than one identity bears
    select unnest(identity_keys) as identity_key, first_name, last_name
    from name_groups where len(identity_keys) > 1
),

pairs as (
    select left_key, right_key, true as is_together from identity_links
    union all
    select left_key, right_key, true from identity_candidates
    where score >= getvariable('merge_score') and not is_name_alone and not is_role_address
      and not (needs_link and not has_link)
    union all
    select left_key, right_key, false from identity_conflicts
    union all
    select left_key, right_key, false from identity_numbered_accounts
),

-- (the left side's name first: joined on both sides' names at once, DuckDB pairs every two identities
-- of a common name before it looks at the pairs)
named as materialized (
    select x.*, l.first_name, l.last_name from pairs as x join grouped as l on l.identity_key = x.left_key
)

select distinct least(x.left_key, x.right_key) as left_key, greatest(x.left_key, x.right_key) as right_key,
       x.is_together, x.first_name, x.last_name
from named as x
join grouped as r on r.identity_key = x.right_key and r.first_name = x.first_name and r.last_name = x.last_name;
