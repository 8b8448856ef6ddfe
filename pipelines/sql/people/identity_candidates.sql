-- Pairs of person identities that may be one human, each scored Fellegi-Sunter style: `score` is the
-- log2 odds that the two are one person, the sum of how their names, organisations and mail agree.
-- How much a name is worth follows from how common it is: its first and last names' shares among
-- this network's identities, smoothed towards a public census table (`census_names`), times the
-- network's size gives how many other people here are expected to bear it.
-- Reads identity_profiles, int_identity_sightings (copied once for the build: people.sightings_cached),
-- and the temp tables `nickname_groups` (name, canonical), `census_names` (kind, name, share) and
-- `match_weights` (feature, level, weight: log2 of how often a level occurs between one human's
-- identities); the variables
-- `name_prior_weight`, `rare_name_share`, `domain_prior_share`, `rare_name_namesakes` and
-- `suggest_score`. How common names are here (`identity_totals`, `name_shares`, `namesake_scale`) is
-- kept as temp tables: sql/people/name_groups.sql reads them too.

-- 0. The first names a person may go by (Robert: Bob, Rob, Bobby ...) and the local parts someone
-- of that name would use, with how much of the name each holds.
create or replace temp table identity_first_variants as
with profiles as (
    select identity_key, first_name from identity_profiles where role = 'person' and first_name is not null
)

select identity_key, first_name as variant from profiles
union
select p.identity_key, other.name
from profiles as p
join nickname_groups as mine on mine.name = p.first_name
join nickname_groups as other on other.canonical = mine.canonical;

create or replace temp table identity_local_patterns as
select identity_key, pattern,
       arg_max(holds, list_position(['first name only', 'first name and initial', 'initial and last name',
                                     'full name'], holds)) as holds
from (
    select v.identity_key,
        unnest([v.variant || last, last || v.variant, left(v.variant, 1) || last, last || left(v.variant, 1),
                v.variant || left(last, 1), v.variant]) as pattern,
        unnest(['full name', 'full name', 'initial and last name', 'initial and last name',
                'first name and initial', 'first name only']) as holds
    from (select * from identity_first_variants
          union
          select identity_key, given_joined from identity_profiles where role = 'person' and given_joined is not null)
        as v
    join (select identity_key, unnest(surname_forms) as last
          from identity_profiles where role = 'person' and last_name is not null) using (identity_key)
)
group by identity_key, pattern;

-- 1. Blocking: which pairs are compared at all.
create or replace temp table identity_pairs as
with profiles as (
    select identity_key, kind, first_name, last_name, last_name_spelled, local_letters, domain_letters, is_free_mail,
           company_letters, company_letters_spelled, company_initials, is_transliterated, second_word
    from identity_profiles where role = 'person'
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
    union all  -- a name transliterated from another script may come family name first (王伟: Wang Wei)
    select p.identity_key, coalesce(g.canonical, p.last_name) || ' ' || p.first_name
    from profiles as p left join nickname_groups as g on g.name = p.last_name
    where p.is_transliterated and p.last_name is not null
    union all  -- a name of three words by its first two: José García López is José García to some mail
    select c.identity_key, c.canonical || ' ' || p.second_word
    from first_canonicals as c join profiles as p using (identity_key)
    where p.second_word is not null
),

org_blocks as (  -- first-name-only and surname-only work addresses (rebecca@, lopez@) against the names there
    select identity_key, org || ' ' || unnest([first_name, last_name]) as block, false as is_bare
    from (
        select identity_key, first_name, last_name, domain_letters as org from profiles
        where kind = 'email' and not is_free_mail and length(domain_letters) >= 3 and last_name is not null
        union
        select identity_key, first_name, last_name,
               unnest(list_distinct([company_letters, company_letters_spelled, company_initials])) from profiles
        where length(company_letters) >= 3 and last_name is not null
    )
    where length(org) >= 3
    union all
    select identity_key, domain_letters || ' ' || local_letters, true
    from profiles
    where kind = 'email' and not is_free_mail and first_name is null and length(local_letters) >= 3
      and length(domain_letters) >= 3
)

select row_number() over () as pair_id, *  -- a number to join on: cheaper than the two keys
from (select distinct least(a, b) as left_key, greatest(a, b) as right_key
from (
    select x.identity_key as a, y.identity_key as b
    from name_blocks as x
    join name_blocks as y on x.block = y.block and x.identity_key < y.identity_key
    -- a name as common as a whole mailbox's worth of people proves nothing on its own
    where x.block in (select block from name_blocks group by block having count(*) <= 200)
    union all
    -- a name with the addresses that spell it
    select lp.identity_key, e.identity_key
    from identity_local_patterns as lp
    join profiles as e on e.local_letters = lp.pattern and e.identity_key <> lp.identity_key
    where lp.holds <> 'first name only'
    union all
    -- the same distinctive local part at two domains (jdoe@work, jdoe@gmail)
    select x.identity_key, y.identity_key
    from profiles as x
    join profiles as y on x.local_letters = y.local_letters and x.identity_key < y.identity_key
    where length(x.local_letters) >= 5
      and x.local_letters in (select local_letters from profiles group by all having count(*) <= 20)
    union all
    select x.identity_key, y.identity_key
    from org_blocks as x
    join org_blocks as y on x.block = y.block and x.is_bare and not y.is_bare and x.identity_key <> y.identity_key
));

-- 2. Where the compared identities appear together: in one message or meeting (then they are two
-- people), or each writing in one thread (one address taking over from the other).
create or replace temp table identity_appearances as
select distinct s.identity_key, s.ref, s.thread_ref, s.role = 'from' as wrote
from int_identity_sightings as s
where s.source in ('mbox', 'ics') and not s.is_automated and s.role <> 'reply_to'
  and s.identity_key in (select left_key from identity_pairs union select right_key from identity_pairs);

-- 3. How common each name is here.
create or replace temp table identity_totals as
select count(*) as identities, count(distinct (first_name, last_name)) filter (where first_name is not null) as names,
       max(mail_last_at) as mail_end
from identity_profiles where role = 'person';

-- How many other people here bear a first name (the distinct surnames it comes with, less the one
-- compared: one person's many identities count once) or a surname, smoothed towards the census share.
create or replace temp table name_shares as
with name_counts as (
    select 'first' as kind, first_name as name, count(distinct last_name) as n
    from identity_profiles where role = 'person' and first_name is not null group by all
    union all
    select 'last', last_name, count(distinct first_name)
    from identity_profiles where role = 'person' and last_name is not null group by all
),

-- A name the census does not list is not rare for that: it lists the US of 1990 (no Elif, Zeynep or
-- Çağla). Before this network says more, such a name is as common as the names the census misses
-- are here, on average (at least as the census's rarest): an international network shows many.
unknown_name_shares as (
    select c.kind, greatest(avg(c.n - 1) / any_value(t.names), getvariable('rare_name_share')) as share
    from name_counts as c
    cross join identity_totals as t
    anti join census_names as census using (kind, name)
    group by all
)

select c.kind, c.name,
       (c.n - 1 + getvariable('name_prior_weight') * coalesce(census.share, u.share))
           / (t.names + getvariable('name_prior_weight')) as share
from name_counts as c
cross join identity_totals as t
left join census_names as census using (kind, name)
left join unknown_name_shares as u using (kind);

-- How far to trust those frequencies here, and how many namesakes could hide. LinkedIn lists one
-- profile per person, so a namesake with a profile shows as a second profile of the name: the names
-- that two or more of the network's profiles share, against how many the frequencies predict, scale
-- the predicted namesakes up (a network of namesakes) or down (fewer than chance); a name counts
-- once, however many bear it, so that a few very common names do not speak for all the others
-- (their bearers in plain sight count for themselves, below). And a namesake who does not show must
-- be one without a profile: of the people one mails, the share LinkedIn covers (named addresses
-- whose name a profile bears) would have shown.
create or replace temp table namesake_scale as
with profile_names as (
    select p.first_name, p.last_name, any_value(ts.names * fl.share * ll.share) as namesakes,
           count(*) > 1 as is_shared
    from identity_profiles as p
    cross join identity_totals as ts
    join name_shares as fl on fl.kind = 'first' and fl.name = p.first_name
    join name_shares as ll on ll.kind = 'last' and ll.name = p.last_name
    where p.role = 'person' and p.kind = 'linkedin_url'
    group by all
),

linkedin_coverage as (  -- (one name more on each side: a share from a handful of names is neither all nor none)
    select (count(*) filter (where (first_name, last_name) in (select (first_name, last_name) from profile_names)) + 1)
               / (count(*) + 2) as share
    from (select distinct first_name, last_name from identity_profiles
          where role = 'person' and kind = 'email' and last_name is not null)
),

-- Namesakes no frequency predicts: names the frequencies call rare (less than 1 in 100 of them would
-- show a second profile) that two profiles share all the same, beyond chance (the predicted count and
-- two standard deviations of it, as a Poisson count of at least one): a network whose namesakes come
-- whatever the name (a family firm, a region of few surnames, names the census does not know). What
-- is left, per name and with or without a profile, is added to every name's expected namesakes.
rare_profile_names as (
    select count(n.namesakes) as names, count(*) filter (where n.is_shared) as shared,
           coalesce(sum(1 - exp(-n.namesakes * c.share) order by n.first_name, n.last_name), 0) as predicted,
           any_value(c.share) as coverage
    from linkedin_coverage as c left join profile_names as n on n.namesakes * c.share < 0.01
),

namesake_excess as (
    select greatest(shared - predicted - 2 * sqrt(predicted + 1), 0)
               / (names + getvariable('namesake_prior_names')) / coverage as per_name
    from rare_profile_names
)

-- the scale of the frequencies' namesakes (the shared names the excess explains are not the
-- frequencies' to explain), and the namesakes hidden from them: those without a profile
select (greatest(count(*) filter (where n.is_shared)
                 - count(n.namesakes) * (1 - exp(-any_value(e.per_name) * any_value(c.share))), 0)
        + getvariable('namesake_prior_names'))
           -- (summed in a fixed order: the same names give the same scale, to the last bit)
           / (coalesce(sum(1 - exp(-n.namesakes * c.share) order by n.first_name, n.last_name), 0)
              + getvariable('namesake_prior_names'))
           * (1 - any_value(c.share)) as factor,
       any_value(e.per_name) * (1 - any_value(c.share)) as excess
from linkedin_coverage as c cross join namesake_excess as e left join profile_names as n on true;

-- How many namesakes a name is expected to have, in words (name_group_scores.sql says it too).
create or replace temp macro namesakes_in_words(expected, excess) as
    case when expected < 1e-4 then '(a rare name: nobody else here is likely to have it)'
         when expected < 1 then format('(that someone else here has it: about 1 in {}{})', round(1 / expected)::bigint,
                                       if(excess > expected / 2,
                                          ', as your LinkedIn shows namesakes even for rare names', ''))
         else format('(a common name: about {} others here may have it)', round(expected, 1))
    end;

-- 4. Scoring.
create or replace temp table identity_candidates as
with profiles as (
    select identity_key, kind, first_name, last_name, local_part, local_letters, domain, domain_letters, is_free_mail,
           company_letters, company_letters_spelled, company_initials, is_role_address, mail_first_at, mail_last_at,
           is_transliterated,
           name_source = 'address' as is_named_by_address, given_joined, second_word,
           -- where someone works, as letters: a work address's domain, else what LinkedIn or an address
           -- book says (a card's company for a work address may be the job before: it names the person,
           -- not the address, and would count the address among that company's namesakes)
           if(kind = 'email' and not is_free_mail, domain_letters, nullif(company_letters, '')) as org
    from identity_profiles where role = 'person'
),

initial_shares as (
    select first_name[1] as initial, count(distinct (first_name, last_name)) / any_value(t.names) as share
    from profiles cross join identity_totals as t where first_name is not null group by all
),

-- Namesakes the data shows outright, which no frequency can: two LinkedIn profiles of one name (one
-- profile each), or two addresses of one name at one company (john.smith@, john.smith2@).
name_bearers as (
    select first_name, last_name, greatest(count(*) filter (where kind = 'linkedin_url'), max(at_domain)) as bearers
    from (select first_name, last_name, kind,
                 count(*) over (partition by first_name, last_name,
                                if(kind = 'email' and not is_free_mail, domain, identity_key)) as at_domain
          from profiles where last_name is not null)
    group by all
),

org_bearers as (  -- the same, at one organisation: what a name and a company agreeing must reckon with
    -- (an address counts by its local part: jane.doe@acme.com and jane.doe@acme.de are one mailbox)
    select first_name, last_name, org, greatest(count(distinct identity_key) filter (where kind = 'linkedin_url'),
                                                count(distinct local_part) filter (where kind = 'email')) as bearers
    from (
        select identity_key, kind, local_part, first_name, last_name, org from profiles
        where last_name is not null and org is not null and not (kind = 'email' and is_free_mail)
        union
        -- a work address there that spells the name bears it, whatever name it shows: the company gave
        -- a second James Brown james.brown43@, and he signs as Jim Brown
        select e.identity_key, e.kind, e.local_part, n.first_name, n.last_name, e.org
        from profiles as e
        join (select distinct first_name, last_name, org,
                     unnest([first_name || last_name, last_name || first_name]) as spelled
              from profiles where last_name is not null and org is not null)
            as n on n.org = e.org and n.spelled = e.local_letters
        where e.kind = 'email' and not e.is_free_mail
    )
    group by all
),

org_name_part_bearers as (  -- at one organisation, the people of one first name or of one surname
    -- (lea.muller@, jurgen.muller@: a bare muller@ there may be any of them)
    select 'first' as part, first_name as name, org, count(distinct last_name) as bearers
    from profiles where last_name is not null and org is not null group by all
    union all
    select 'last', last_name, org, count(distinct first_name)
    from profiles where last_name is not null and org is not null group by all
),

initial_bearers as (
    select first_name[1] as initial, last_name, sum(bearers) as bearers from name_bearers group by all
),

domain_shares as (  -- how many of the network's identities are at a domain: same-domain pairs at big ones prove less
    select domain, (count(*) + getvariable('name_prior_weight') * getvariable('domain_prior_share'))
                   / (any_value(t.identities) + getvariable('name_prior_weight')) as share
    from profiles cross join identity_totals as t where kind = 'email' group by all
),

org_shares as (
    select org, (count(*) + getvariable('name_prior_weight') * getvariable('domain_prior_share'))
                / (any_value(t.identities) + getvariable('name_prior_weight')) as share
    from profiles cross join identity_totals as t where org is not null group by all
),

local_counts as (
    select local_letters, count(*) as n from profiles group by all
),

keyed as materialized (  -- each pair with what the look-ups below need: narrow, so that they stay in memory
    -- a side is bare when its name is not known, or known only through another script (a Korean or
    -- Japanese name spelled out by anyascii is not its reading: 김민준 gives gim min jun), or read from
    -- its own address against a name of three words (jan.vanderberg@ is not the name Vanderberg):
    -- then how its address spells the other side's name says more
    select pairs.pair_id, pairs.left_key, pairs.right_key, r.first_name as right_first,
           l.first_name is null or l.is_transliterated or l.is_named_by_address and r.given_joined is not null
               as left_bare,
           r.first_name is null or r.is_transliterated or r.is_named_by_address and l.given_joined is not null
               as right_bare,
           l.local_letters as left_local, r.local_letters as right_local
    from identity_pairs as pairs
    join profiles as l on l.identity_key = pairs.left_key
    join profiles as r on r.identity_key = pairs.right_key
),

nicknames as (  -- pairs whose first names are nickname-equivalent (Bob and Robert)
    select k.pair_id
    from keyed as k join identity_first_variants as v on v.identity_key = k.left_key and v.variant = k.right_first
),

spelled as (  -- how much of one side's name the other side's address spells out
    select pair_id,
           arg_max(holds, list_position(['first name and initial', 'initial and last name', 'full name'], holds)) as holds,
           arg_max(named_side, list_position(['first name and initial', 'initial and last name', 'full name'], holds))
               as named_side
    from (
        select k.pair_id, lp.holds, 'left' as named_side
        from keyed as k join identity_local_patterns as lp on lp.identity_key = k.left_key and lp.pattern = k.right_local
        where k.right_bare and lp.holds <> 'first name only'
        union all
        select k.pair_id, lp.holds, 'right'
        from keyed as k join identity_local_patterns as lp on lp.identity_key = k.right_key and lp.pattern = k.left_local
        where k.left_bare and lp.holds <> 'first name only'
    )
    group by all
),

wrote_in_one_thread as (  -- both addresses wrote in one thread: one took over from the other
    select distinct least(x.identity_key, y.identity_key) as left_key, greatest(x.identity_key, y.identity_key) as right_key
    from (select distinct identity_key, thread_ref from identity_appearances where wrote) as x
    join (select distinct identity_key, thread_ref from identity_appearances where wrote) as y
        on x.thread_ref = y.thread_ref and x.identity_key < y.identity_key
),

compared as (
    select
        pairs.*,
        l.kind as left_kind,
        r.kind as right_kind,
        -- one side's address spells the other side's name as written, where its own display name
        -- is a nickname or another form of it (Liz Clark <elizabeth.clark@>, Katie <katherine.howard@>)
        -- (a profile has no address: it spells nothing)
        coalesce(l.local_letters in (r.first_name || r.last_name, r.last_name || r.first_name), false)
            as left_spells_right,
        coalesce(r.local_letters in (l.first_name || l.last_name, l.last_name || l.first_name), false)
            as right_spells_left,
        -- a name of two words that is another's of three without its last (José García, José García López)
        l.second_word is null and r.second_word = l.last_name and l.last_name <> r.last_name as left_is_shorter,
        r.second_word is null and l.second_word = r.last_name and l.last_name <> r.last_name as right_is_shorter,
        -- the side whose name is known (for an address that spells a name: the other side; for a
        -- shorter form: the shorter, which is the name the namesakes would bear)
        coalesce(a.named_side = 'left', if(left_spells_right and not right_spells_left, false, null),
                 if(right_is_shorter, false, null), l.last_name is not null) as is_left_named,
        if(is_left_named, l.first_name, r.first_name) as named_first,
        if(is_left_named, l.last_name, r.last_name) as named_last,
        if(is_left_named, l.local_letters, r.local_letters) as named_local,
        if(is_left_named, r.first_name, l.first_name) as other_first,
        case
            -- a name from another script, whose address spells the other side's name in Latin letters
            -- ... or a name read from an address (thihoa.le@, jan.vanderberg@) that the other side's
            -- name, of three words, does not give word for word (the same name or a nickname says as much)
            when a.holds is not null and (l.is_transliterated or r.is_transliterated
                                          or (l.is_named_by_address and r.given_joined is not null
                                              or r.is_named_by_address and l.given_joined is not null)
                                             and not (l.last_name = r.last_name and n.pair_id is not null)) then
                case a.holds when 'full name' then 'same name (in the address)'
                             when 'initial and last name' then 'initial (in the address)'
                             else 'first name and initial (in the address)' end
            when l.last_name is not null and r.last_name is not null then
                case
                    when l.last_name = r.last_name and l.first_name = r.first_name then 'same name'
                    when l.last_name = r.first_name and l.first_name = r.last_name then 'same name, other order'
                    when l.last_name = r.last_name and (n.pair_id is not null or l.first_name[1] = r.first_name[1])
                         and (left_spells_right or right_spells_left) then 'same name (in the address)'
                    when l.last_name = r.last_name and n.pair_id is not null then 'nickname'
                    when l.last_name = r.last_name and (length(l.first_name) = 1 or length(r.first_name) = 1)
                         and l.first_name[1] = r.first_name[1] then 'initial'
                    when (left_is_shorter or right_is_shorter) and (l.first_name = r.first_name or n.pair_id is not null)
                        then 'same name, one surname'
                    when l.first_name = r.first_name and jaro_winkler_similarity(l.last_name, r.last_name) >= 0.92
                        then 'similar last name'
                    when l.last_name = r.last_name and jaro_winkler_similarity(l.first_name, r.first_name) >= 0.9
                        then 'similar first name'
                    when l.last_name = r.last_name then 'other first name'
                    else 'other name'
                end
            when l.last_name is null and r.last_name is null then 'unknown'
            -- how much of one side's name the other side's address spells out
            when a.holds = 'full name' then 'same name (in the address)'
            when a.holds = 'initial and last name' then 'initial (in the address)'
            when a.holds = 'first name and initial' then 'first name and initial (in the address)'
            when coalesce(l.local_letters, '') = r.first_name or coalesce(r.local_letters, '') = l.first_name
                then 'first name only (in the address)'
            when coalesce(l.local_letters, '') = r.last_name or coalesce(r.local_letters, '') = l.last_name
                then 'surname only (in the address)'
            else 'unknown'
        end as name_level,
        -- the whole name agrees, however written: weighed by the name's own frequency
        name_level in ('same name', 'same name (in the address)', 'same name, other order', 'same name, one surname')
            as is_whole_name,
        case
            when l.kind = 'email' and r.kind = 'email' and not l.is_free_mail and not r.is_free_mail then
                if(l.domain = r.domain or l.org = r.org and length(l.org) >= 3, 'same domain', 'other domain')
            -- a personal address whose address-book card names the company the other side works at
            when (l.is_free_mail and length(l.company_letters) >= 3 or r.is_free_mail and length(r.company_letters) >= 3)
                 and length(l.org) >= 3 and length(r.org) >= 3
                 and (contains(l.org, r.org) or contains(r.org, l.org)) then 'same company'
            when l.kind = 'email' and r.kind = 'email' then 'personal address'
            -- an address against a profile: the profile's company against the address's domain (an
            -- address-book card may name a company for the address too; it does not speak for the profile)
            when l.kind = 'email' or r.kind = 'email' then
                case when coalesce(s.profile_company, '') = '' then 'unknown'
                     when s.address_is_free_mail then 'personal address'
                     when length(s.address_domain) >= 3 and (
                          contains(s.profile_company, s.address_domain) or contains(s.address_domain, s.profile_company)
                          or contains(s.profile_company_spelled, s.address_domain)
                          or contains(s.address_domain, s.profile_company_spelled)
                          or (length(s.profile_initials) >= 3 and starts_with(s.address_domain, s.profile_initials)))
                        then 'domain is the company'
                     else 'domain is not the company' end
            else 'unknown'
        end as company_level,
        coalesce(l.domain, r.domain) as email_domain,
        l.domain <> r.domain as at_two_domains,  -- of one organisation, when 'same domain'
        if(l.domain <> r.domain, l.domain || ' and ' || r.domain, coalesce(l.domain, r.domain)) as domains_shown,
        coalesce(l.org, r.org) as org,
        l.is_role_address or r.is_role_address as is_role_address,
        l.is_transliterated or r.is_transliterated as is_transliterated,
        l.local_letters = r.local_letters and length(l.local_letters) >= 5 as same_local_part,
        -- two mailboxes at one organisation (jane.doe@acme.com and jane.doe@acme.de are one)
        company_level = 'same domain' and l.local_part <> r.local_part as is_two_mailboxes,
        t.left_key is not null as wrote_in_one_thread,
        -- days both addresses were in use at once (negative: one stopped before the other started)
        if(l.mail_first_at is null or r.mail_first_at is null, null,  -- (greatest and least skip nulls)
           datediff('day', greatest(l.mail_first_at, r.mail_first_at), least(l.mail_last_at, r.mail_last_at)))
            as overlap_days,
        -- one address took over from the other: it started later and ended later, at most 30 days
        -- after the other stopped (an address used once while the other was in use took over nothing)
        coalesce(overlap_days <= 30 and (l.mail_first_at <= r.mail_first_at) = (l.mail_last_at <= r.mail_last_at),
                 false) as took_over,
        least(l.mail_last_at, r.mail_last_at) as handover_at
    from identity_pairs as pairs
    join profiles as l on l.identity_key = pairs.left_key
    join profiles as r on r.identity_key = pairs.right_key
    -- of an address and a profile, which is which
    cross join lateral (select if(l.kind = 'email', l.domain_letters, r.domain_letters) as address_domain,
                               if(l.kind = 'email', l.is_free_mail, r.is_free_mail) as address_is_free_mail,
                               if(l.kind = 'email', r.company_letters, l.company_letters) as profile_company,
                               if(l.kind = 'email', r.company_letters_spelled, l.company_letters_spelled)
                                   as profile_company_spelled,
                               if(l.kind = 'email', r.company_initials, l.company_initials) as profile_initials) as s
    left join nicknames as n using (pair_id)
    left join spelled as a using (pair_id)
    left join wrote_in_one_thread as t using (left_key, right_key)
    where not (l.kind = 'linkedin_url' and r.kind = 'linkedin_url')  -- one profile each: two profiles, two people
),

rated as (  -- how many other people here would be expected to agree this way by chance
    select
        c.*,
        ts.names * if(name_level in ('other name', 'unknown'), 1, ns.factor) * case
            when is_whole_name then fl.share * ll.share
            when name_level = 'nickname' then (fl.share + coalesce(fr.share, fl.share)) * ll.share
            when name_level in ('initial', 'initial (in the address)') then coalesce(i.share, 0.1) * ll.share
            when name_level = 'first name and initial (in the address)' then fl.share * 0.1
            when name_level = 'similar last name' then fl.share * 0.01
            when name_level = 'similar first name' then ll.share * 0.01
            when name_level = 'other first name' then ll.share
            when name_level = 'first name only (in the address)' then fl.share
            when name_level = 'surname only (in the address)' then ll.share
            else 1.0
        end + if(name_level in ('other name', 'unknown'), 0, ns.excess) as namesakes_by_frequency,
        -- the namesakes in plain sight, beside the one compared
        case when is_whole_name or name_level = 'nickname'
                  -- a name from another script may be written family name first (王伟: Wang Wei)
                  then greatest(coalesce(nb.bearers, 1), if(c.is_transliterated, coalesce(nbs.bearers, 1), 1)) - 1
             when name_level in ('initial', 'initial (in the address)') then coalesce(ib.bearers, 1) - 1
             else 0 end as namesakes_seen,
        greatest(namesakes_by_frequency, namesakes_seen) as expected_namesakes,
        -- ... and those at the company both sides are at (john.smith@ and john.smith2@), beside the two
        -- compared: two of its addresses bear the name, and whether they are two people is the question
        case when is_whole_name or name_level = 'nickname'
                  then greatest(coalesce(ob.bearers, 1) - if(c.is_two_mailboxes, 2, 1), 0)
             when name_level in ('first name only (in the address)', 'surname only (in the address)')
                  then coalesce(op.bearers, 1) - 1
             else 0 end as namesakes_at_company,
        if(c.company_level = 'same company' or c.at_two_domains, os.share, d.share) as domain_share,
        lc.n as local_part_holders,
        ns.excess as namesake_excess
    from compared as c
    cross join identity_totals as ts
    cross join namesake_scale as ns
    left join name_shares as fl on fl.kind = 'first' and fl.name = c.named_first
    left join name_shares as fr on fr.kind = 'first' and fr.name = c.other_first
    left join name_shares as ll on ll.kind = 'last' and ll.name = c.named_last
    left join initial_shares as i on i.initial = c.named_first[1]
    left join name_bearers as nb on nb.first_name = c.named_first and nb.last_name = c.named_last
    left join name_bearers as nbs on nbs.first_name = c.named_last and nbs.last_name = c.named_first
    left join org_bearers as ob on ob.first_name = c.named_first and ob.last_name = c.named_last
        and ob.org = c.org
    left join org_name_part_bearers as op on op.org = c.org
        and (op.part, op.name) = if(c.name_level = 'surname only (in the address)', ('last', c.named_last),
                                    ('first', c.named_first))
    left join initial_bearers as ib on ib.initial = c.named_first[1] and ib.last_name = c.named_last
    left join domain_shares as d on d.domain = c.email_domain
    left join org_shares as os on os.org = c.org
    left join local_counts as lc on lc.local_letters = c.named_local
),

scored as (
    select
        r.* exclude (left_spells_right, right_spells_left, left_is_shorter, right_is_shorter, is_left_named,
                     named_first, named_last, named_local, other_first, is_whole_name),
        -- the name: log2(how often one human's identities agree so / how many others would by chance)
        -- at one company: how many others there would agree so by chance, the company's share of the
        -- namesakes the frequencies predict or the namesakes seen there, whichever is more (the latter
        -- are at this company already: its share does not divide them again; those seen elsewhere work
        -- elsewhere)
        wn.weight - log2(if(r.company_level in ('same domain', 'domain is the company', 'same company'),
                            greatest(greatest(r.namesakes_by_frequency, 1e-6) * coalesce(r.domain_share, 1),
                                     r.namesakes_at_company),
                            greatest(r.expected_namesakes, 1e-6)))
            + if(r.name_level = 'unknown' and r.same_local_part,
                 wa.weight - log2(greatest(r.local_part_holders, 1) / r.expected_namesakes), 0) as name_bits,
        wc.weight as company_bits,
        if(r.wrote_in_one_thread, wt.weight, 0)
            + case when r.company_level <> 'other domain' or r.overlap_days is null then 0
                   when r.took_over then wh.weight  -- one address stopped when the other started
                   when r.overlap_days > 90 then wo.weight  -- both in use for months: two people
                   else 0 end as mail_bits,
        -- LinkedIn shows one company, and the address at another has not written for a quarter of the
        -- mailbox's last mail: LinkedIn may show the job that followed
        coalesce(r.company_level = 'domain is not the company' and r.handover_at < ts.mail_end - interval 90 days,
                 false) as went_quiet,
        -- at two companies, a common name is not enough: that needs a link (a thread both wrote in; an
        -- address-book card or LinkedIn's own word link identities before scoring). A rare name that
        -- nobody else here bears is linked by the old job's address going quiet: one address taking
        -- over from the other, or the address LinkedIn's company replaced.
        r.wrote_in_one_thread or r.expected_namesakes < getvariable('rare_name_namesakes')
            and (r.company_level = 'other domain' and r.took_over or went_quiet) as has_link,
        r.company_level in ('other domain', 'domain is not the company') as needs_link,
        r.expected_namesakes < getvariable('rare_name_namesakes') as is_rare_name
    from rated as r
    join match_weights as wn on wn.feature = 'name' and wn.level = r.name_level
    join match_weights as wc on wc.feature = 'company' and wc.level = r.company_level
    join match_weights as wa on wa.feature = 'address' and wa.level = 'same local part'
    join match_weights as wt on wt.feature = 'mail' and wt.level = 'wrote in one thread'
    join match_weights as wh on wh.feature = 'mail' and wh.level = 'one replaced the other'
    join match_weights as wo on wo.feature = 'mail' and wo.level = 'in use at the same time'
    cross join identity_totals as ts
),

explained as (  -- the evidence in plain words
    select
        left_key, right_key, left_kind, right_kind, name_level, company_level, is_role_address, has_link, needs_link,
        is_rare_name, mail_bits,
        name_bits + company_bits + mail_bits as score,
        -- the whole name and nothing else agrees (no company either way)
        name_level = 'same name' and company_level in ('personal address', 'unknown') and not is_role_address
            as is_name_alone,
        name_level || case
            when name_level in ('other name', 'unknown') then ''
            -- the company agrees, and others of the name are there: those are who it may be
            when company_level in ('same domain', 'domain is the company', 'same company')
                 and namesakes_at_company >= 1 then format(' (and {} other{} of the name at the company)',
                                                           namesakes_at_company, if(namesakes_at_company = 1, '', 's'))
            else ' ' || namesakes_in_words(expected_namesakes, namesake_excess)
        end as name_words,
        concat_ws('; ',
            case company_level
                when 'same domain' then 'both at ' || domains_shown
                when 'domain is the company' then 'the address is at the company''s domain'
                when 'same company' then 'the address book puts the personal address at the same company'
                when 'personal address' then 'one is a personal address'
                when 'other domain' then 'work addresses at two companies'
                when 'domain is not the company' then 'the address is not at the company''s domain'
            end,
            if(wrote_in_one_thread, 'both wrote in one thread', null),
            if(company_level = 'other domain' and took_over,
               'one address stopped when the other started (' || strftime(handover_at, '%B %Y') || ')', null),
            if(went_quiet, 'the address stopped writing in ' || strftime(handover_at, '%B %Y'), null),
            if(company_level = 'other domain' and overlap_days > 90,
               format('both in use at the same time for {} days', overlap_days), null)
        ) as other_words
    from scored
    -- kept: what may be suggested, and two companies with nothing linking them, which keep the two
    -- apart also through a third identity (a personal address of the name)
    where name_bits + company_bits + mail_bits >= getvariable('suggest_score') or needs_link and not has_link
)

select * exclude (name_words, other_words),
       -- words only for what may be suggested
       if(score >= getvariable('suggest_score'), concat_ws('; ', name_words, nullif(other_words, '')), null)
           as evidence,
       -- and what else agrees, for the pairs that the name's group scores again (people.reweigh_names)
       if(is_name_alone, other_words, null) as other_words
from explained;

-- 5. Pairs that are two people for certain: both on one message or invited to one meeting.
create or replace temp table identity_conflicts as
with involved as (
    select left_key as identity_key from identity_candidates union select right_key from identity_candidates
),

appearances as (
    select a.identity_key, a.ref from identity_appearances as a join involved using (identity_key)
)

select distinct least(x.identity_key, y.identity_key) as left_key, greatest(x.identity_key, y.identity_key) as right_key
from appearances as x
join appearances as y on x.ref = y.ref and x.identity_key < y.identity_key;

-- 6. Pairs that are two people, most likely: two addresses at one domain that spell one name and
-- differ in their digits (minjunkim@ and minjunkim73@gmail.com, francois@ and francois31@ at one
-- company). A provider or an employer gives a name once: the number is how a namesake got an address
-- of it, and one person rarely keeps two such addresses.
create or replace temp table identity_numbered_accounts as
with accounts as (
    select identity_key, domain, local_letters, regexp_replace(local_part, '[^0-9]', '', 'g') as digits
    from identity_profiles
    where kind = 'email' and role = 'person' and length(local_letters) >= 4
)

select x.identity_key as left_key, y.identity_key as right_key
from accounts as x
join accounts as y on y.domain = x.domain and y.local_letters = x.local_letters and x.identity_key < y.identity_key
where x.digits <> y.digits;
