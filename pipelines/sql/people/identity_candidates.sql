-- Pairs of person identities that may be one human, each scored Fellegi-Sunter style: the sum of
-- log2 likelihood ratios of how their names, address and company agree. Reads identity_profiles
-- and the temp tables `nickname_groups` (name, canonical) and `match_weights` (feature, level, weight).
create or replace temp table identity_candidates as
with profiles as (
    select * from identity_profiles where role = 'person'
),

first_variants as (  -- a first name and its nickname equivalents (Robert: Bob, Rob, Bobby ...)
    select identity_key, first_name as variant from profiles where first_name is not null
    union
    select p.identity_key, other.name
    from profiles as p
    join nickname_groups as mine on mine.name = p.first_name
    join nickname_groups as other on other.canonical = mine.canonical
),

local_patterns as (  -- the local parts someone of that name would use, and how much of the name each holds
    select distinct v.identity_key,
        unnest([v.variant || last, last || v.variant, left(v.variant, 1) || last, last || left(v.variant, 1),
                v.variant || left(last, 1), v.variant]) as pattern,
        unnest(['full name', 'full name', 'initial and last name', 'initial and last name',
                'first name and initial', 'first name only']) as holds
    from first_variants as v
    join (select identity_key, unnest(list_distinct([last_name, last_name_spelled])) as last
          from profiles where last_name is not null) using (identity_key)
),

blocks as (  -- pairs are only formed within a block: the same name (nicknames too), or a name and its address
    select v.identity_key, 'name:' || v.variant || ' ' || p.last_name as block
    from first_variants as v join profiles as p using (identity_key)
    where p.last_name is not null
    union
    select v.identity_key, 'typo:' || v.variant || ' ' || left(p.last_name, 3)
    from first_variants as v join profiles as p using (identity_key)
    where p.last_name is not null
    union
    select identity_key, 'local:' || local_letters from profiles where length(local_letters) >= 3
    union
    select identity_key, 'local:' || pattern from local_patterns
    where holds <> 'first name only' and length(pattern) >= 3
),

usable_blocks as (  -- a block as big as a whole mailbox ("info", "admin") proves nothing
    select * from blocks
    where block in (select block from blocks group by block having count(*) <= 200)
),

pairs as (
    select distinct a.identity_key as left_key, b.identity_key as right_key
    from usable_blocks as a
    join usable_blocks as b on a.block = b.block and a.identity_key < b.identity_key
),

name_counts as (  -- how many humans bear a name, as far as LinkedIn (one profile each) shows
    select first_name, last_name, count(*) as holders
    from profiles where kind = 'linkedin_url' and first_name is not null
    group by all
),

compared as (
    select
        pairs.*,
        l.kind as left_kind,
        r.kind as right_kind,
        case
            when l.last_name is null or r.last_name is null then 'unknown'
            when l.last_name = r.last_name and l.first_name = r.first_name then 'same name'
            when l.last_name = r.last_name and exists (
                select 1 from first_variants as v where v.identity_key = l.identity_key and v.variant = r.first_name)
                then 'nickname'
            when l.last_name = r.last_name and (length(l.first_name) = 1 or length(r.first_name) = 1)
                 and l.first_name[1] = r.first_name[1] then 'initial'
            when l.first_name = r.first_name and jaro_winkler_similarity(l.last_name, r.last_name) >= 0.92
                then 'similar last name'
            when l.last_name = r.last_name and jaro_winkler_similarity(l.first_name, r.first_name) >= 0.9
                then 'similar first name'
            when l.last_name = r.last_name then 'other first name'
            else 'other name'
        end as name_level,
        coalesce(
            (select arg_max(lp.holds, list_position(
                        ['first name only', 'first name and initial', 'initial and last name', 'full name'], lp.holds))
             from local_patterns as lp
             where (lp.identity_key = l.identity_key and lp.pattern = r.local_letters)
                or (lp.identity_key = r.identity_key and lp.pattern = l.local_letters)),
            if(l.local_letters = r.local_letters and length(l.local_letters) >= 5, 'same local part', 'none')
        ) as address_level,
        case
            when l.kind = 'email' and r.kind = 'email' then
                case when l.is_free_mail or r.is_free_mail then 'personal address'
                     when l.domain = r.domain then 'same domain'
                     else 'other domain' end
            when l.kind = 'email' or r.kind = 'email' then
                case when coalesce(nullif(l.company_letters, ''), r.company_letters, '') = '' then 'unknown'
                     when coalesce(l.is_free_mail, r.is_free_mail) then 'personal address'
                     when length(coalesce(l.domain_letters, r.domain_letters)) >= 3 and (
                          contains(coalesce(nullif(l.company_letters, ''), r.company_letters),
                                   coalesce(nullif(l.domain_letters, ''), r.domain_letters))
                       or contains(coalesce(nullif(l.domain_letters, ''), r.domain_letters),
                                   coalesce(nullif(l.company_letters, ''), r.company_letters))
                       or (length(coalesce(nullif(l.company_initials, ''), r.company_initials)) >= 3
                           and starts_with(coalesce(nullif(l.domain_letters, ''), r.domain_letters),
                                           coalesce(nullif(l.company_initials, ''), r.company_initials))))
                        then 'domain is the company'
                     else 'domain is not the company' end
            else 'unknown'
        end as company_level,
        greatest(coalesce(nl.holders, 1), coalesce(nr.holders, 1), 1) as name_holders
    from pairs
    join profiles as l on l.identity_key = pairs.left_key
    join profiles as r on r.identity_key = pairs.right_key
    left join name_counts as nl on nl.first_name = l.first_name and nl.last_name = l.last_name
    left join name_counts as nr on nr.first_name = r.first_name and nr.last_name = r.last_name
    where not (l.kind = 'linkedin_url' and r.kind = 'linkedin_url')  -- one profile each: two profiles, two people
),

named as (  -- where one side shows no name, an address that spells the other's name stands in for it
    select
        * replace (case
            when name_level = 'unknown' and address_level = 'full name' then 'same name (in the address)'
            when name_level = 'unknown' and address_level = 'initial and last name' then 'initial (in the address)'
            else name_level end as name_level)
    from compared
),

scored as (
    select
        c.*,
        wn.weight + wa.weight + wc.weight
            -- a name several humans bear is weaker evidence: less per doubling of its holders
            - if(c.name_level like 'same name%' or c.name_level = 'nickname', log2(c.name_holders) * 3, 0)
            as score,
        concat_ws(', ', c.name_level, 'address: ' || c.address_level, 'company: ' || c.company_level,
                  if(c.name_holders > 1, 'about ' || c.name_holders || ' people bear the name', null))
            as evidence
    from named as c
    join match_weights as wn on wn.feature = 'name' and wn.level = c.name_level
    join match_weights as wa on wa.feature = 'address' and wa.level = c.address_level
    join match_weights as wc on wc.feature = 'company' and wc.level = c.company_level
),

ambiguity as (  -- an identity that fits several LinkedIn profiles equally is left for the user to decide
    select *,
        count(*) filter (where score >= $merge_score and (left_kind = 'linkedin_url' or right_kind = 'linkedin_url'))
            over (partition by if(left_kind = 'linkedin_url', right_key, left_key)) as profiles_fitting
    from scored
)

select * from ambiguity;
