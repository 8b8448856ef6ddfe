-- Pairs of person identities that may be one human, each scored Fellegi-Sunter style: the sum of
-- log2 likelihood ratios of how their names, address and company agree. Reads identity_profiles
-- and the temp tables `nickname_groups` (name, canonical) and `match_weights` (feature, level, weight).
create or replace temp table identity_candidates as
with profiles as (  -- only what is compared: 1,000,000 pairs of wide rows would not fit in memory
    select identity_key, kind, first_name, last_name, last_name_spelled, local_letters, domain, domain_letters,
           is_free_mail, company_letters, company_initials
    from identity_profiles where role = 'person'
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

first_canonicals as (  -- the canonical names a first name belongs to (Bob: Robert, Bobby, Bert), or itself
    select p.identity_key, coalesce(g.canonical, p.first_name) as canonical
    from profiles as p left join nickname_groups as g on g.name = p.first_name
    where p.first_name is not null
),

name_blocks as (  -- people of one name (nicknames included) are compared with each other
    select c.identity_key, c.canonical || ' ' || p.last_name as block
    from first_canonicals as c join profiles as p using (identity_key)
    where p.last_name is not null
),

pairs as (
    select distinct least(a, b) as left_key, greatest(a, b) as right_key
    from (
        select x.identity_key as a, y.identity_key as b
        from name_blocks as x
        join name_blocks as y on x.block = y.block and x.identity_key < y.identity_key
        -- a name as common as a whole mailbox's worth of people proves nothing on its own
        where x.block in (select block from name_blocks group by block having count(*) <= 200)
        union all
        -- a name with the addresses that spell it
        select lp.identity_key, e.identity_key
        from local_patterns as lp
        join profiles as e on e.local_letters = lp.pattern and e.identity_key <> lp.identity_key
        where lp.holds <> 'first name only'
        union all
        -- the same distinctive local part at two domains (jdoe@work, jdoe@gmail)
        select x.identity_key, y.identity_key
        from profiles as x
        join profiles as y on x.local_letters = y.local_letters and x.identity_key < y.identity_key
        where length(x.local_letters) >= 5
          and x.local_letters in (select local_letters from profiles group by all having count(*) <= 20)
    )
),

name_counts as (  -- how many humans bear a name, as far as LinkedIn (one profile each) shows
    select first_name, last_name, count(*) as holders
    from profiles where kind = 'linkedin_url' and first_name is not null
    group by all
),

nickname_pairs as (  -- pairs whose first names are nickname-equivalent
    select distinct pairs.left_key, pairs.right_key
    from pairs
    join profiles as r on r.identity_key = pairs.right_key
    join first_variants as v on v.identity_key = pairs.left_key and v.variant = r.first_name
),

address_matches as (  -- how much of one side's name the other side's address spells out
    select left_key, right_key,
           arg_max(holds, list_position(['first name only', 'first name and initial', 'initial and last name',
                                         'full name'], holds)) as holds
    from (
        select pairs.*, lp.holds
        from pairs
        join profiles as r on r.identity_key = pairs.right_key
        join local_patterns as lp on lp.identity_key = pairs.left_key and lp.pattern = r.local_letters
        union all
        select pairs.*, lp.holds
        from pairs
        join profiles as l on l.identity_key = pairs.left_key
        join local_patterns as lp on lp.identity_key = pairs.right_key and lp.pattern = l.local_letters
    )
    group by left_key, right_key
),

compared as (
    select
        pairs.*,
        l.kind as left_kind,
        r.kind as right_kind,
        case
            when l.last_name is null or r.last_name is null then 'unknown'
            when l.last_name = r.last_name and l.first_name = r.first_name then 'same name'
            when l.last_name = r.last_name and n.left_key is not null then 'nickname'
            when l.last_name = r.last_name and (length(l.first_name) = 1 or length(r.first_name) = 1)
                 and l.first_name[1] = r.first_name[1] then 'initial'
            when l.first_name = r.first_name and jaro_winkler_similarity(l.last_name, r.last_name) >= 0.92
                then 'similar last name'
            when l.last_name = r.last_name and jaro_winkler_similarity(l.first_name, r.first_name) >= 0.9
                then 'similar first name'
            when l.last_name = r.last_name then 'other first name'
            else 'other name'
        end as name_level,
        coalesce(a.holds,
                 if(l.local_letters = r.local_letters and length(l.local_letters) >= 5, 'same local part', 'none'))
            as address_level,
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
    left join nickname_pairs as n using (left_key, right_key)
    left join address_matches as a using (left_key, right_key)
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
