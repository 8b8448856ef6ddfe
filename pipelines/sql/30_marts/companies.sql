-- One row per organisation the owner knows people at: who works there, the strongest tie, the last
-- contact, and how the owner knows them. LinkedIn company names and work mail domains are reconciled
-- into one organisation (Brightwave Analytics GmbH, brightwave.io); addresses at personal providers
-- (personal_mail_domains: gmail.com, gmx.de, ...) say nothing about where someone works.
-- A person is placed where LinkedIn says they work now, else where their work address is.
create or replace view companies as
with people as (
    select person_id, full_name, company, position, emails, connected_on from main.people
),

strength as (
    select person_id, strength, tier, trend, direction from relationship_strength
),

interactions as (
    select person_id, occurred_at, channel from main.interactions
),

work_domains as (  -- every address's domain that is no personal provider
    select distinct p.person_id, split_part(address, '@', 2) as domain
    from people as p, unnest(p.emails) as t(address)
    where split_part(address, '@', 2) not in (select domain from personal_mail_domains)
),

named as (  -- people whose company is a name (LinkedIn's), not the domain of their address
    select p.person_id, p.company, organisation_key(p.company) as organisation_key
    from people as p
    where organisation_key(p.company) is not null
      and lower(p.company) not in (select domain from work_domains as d where d.person_id = p.person_id)
),

domain_votes as (  -- for each work domain, the named organisations of the people writing from it
    select domain, organisation_key, people, sum(people) over (partition by domain) as people_named
    from (
        select d.domain, n.organisation_key, count(*) as people
        from work_domains as d join named as n using (person_id)
        group by d.domain, n.organisation_key
    )
),

domains as (  -- each work domain once, with the name it spells (worked out once: it takes regexes)
    select domain, domain_key(domain) as spelled
    from (select distinct domain from work_domains)
),

domain_organisation as (  -- a domain belongs to the organisation it spells, else to most of its people's
    select domain, organisation_key
    from (
        select
            d.domain,
            coalesce(
                -- its name: ironstudio for iron-studio.ae; brightwave for brightwave.io if only one named fits
                (select any_value(k.organisation_key) from named as k
                 where k.organisation_key = d.spelled),
                (select min(k.organisation_key) from named as k
                 where length(d.spelled) >= 4 and starts_with(k.organisation_key, d.spelled)
                 having count(distinct k.organisation_key) = 1),
                -- most of the named people writing from it, at least two
                (select arg_max(v.organisation_key, v.people) from domain_votes as v
                 where v.domain = d.domain and v.people >= 2 and v.people * 2 > v.people_named),
                d.spelled
            ) as organisation_key
        from domains as d
    )
    where organisation_key is not null
),

placed as (  -- each person in one organisation
    select p.person_id, coalesce(n.organisation_key, o.organisation_key) as organisation_key,
           n.company as linkedin_company
    from people as p
    left join named as n using (person_id)
    left join domain_organisation as o on n.person_id is null and o.domain = lower(p.company)
    where coalesce(n.organisation_key, o.organisation_key) is not null
),

contact as (
    select person_id, max(occurred_at) as last_contact_at, list(distinct channel order by channel) as channels
    from interactions
    group by person_id
),

members as (
    select
        pl.organisation_key, pl.linkedin_company, p.person_id, p.full_name, p.position, p.connected_on,
        s.strength, s.tier, s.trend, s.direction, c.last_contact_at, coalesce(c.channels, []) as channels
    from placed as pl
    join people as p using (person_id)
    left join strength as s using (person_id)
    left join contact as c using (person_id)
),

owner_keys as (  -- the owner's own organisation, from their work addresses
    select distinct o.organisation_key
    from owner_settings, unnest(emails) as t(address)
    join domain_organisation as o on o.domain = split_part(lower(address), '@', 2)
),

organisations as (
    select
        m.organisation_key,
        coalesce(mode(m.linkedin_company) filter (where m.linkedin_company is not null),
                 (select min(o.domain) from domain_organisation as o where o.organisation_key = m.organisation_key))
            as company,
        coalesce((select list(o.domain order by o.domain) from domain_organisation as o
                  where o.organisation_key = m.organisation_key), []) as domains,
        count(*) as people_known,
        count(m.connected_on) as linkedin_connections,
        count(*) filter (where m.last_contact_at >= as_of() - interval 365 days) as people_in_touch_last_year,
        arg_max(m.person_id, (coalesce(m.strength, -1), m.person_id)) as strongest_person_id,
        arg_max(m.full_name, (coalesce(m.strength, -1), m.person_id)) as strongest_full_name,
        round(max(m.strength), 1) as strongest_strength,
        arg_max(m.tier, (coalesce(m.strength, -1), m.person_id)) as strongest_tier,
        max(m.last_contact_at) as last_contact_at,
        -- people met together share a last contact: the stronger tie is named, so that it never changes by chance
        arg_max(m.full_name, (m.last_contact_at, coalesce(m.strength, -1), m.person_id))
            filter (where m.last_contact_at is not null) as last_contact_full_name,
        list_sort(list_distinct(flatten(list(m.channels)))) as known_through,
        count(*) filter (where m.direction = 'warming') as people_warming,
        count(*) filter (where m.direction = 'cooling') as people_cooling,
        round(coalesce(sum(m.trend), 0), 1) as strength_trend,
        list({'person_id': m.person_id, 'full_name': m.full_name, 'position': m.position,
              'tier': m.tier, 'strength': round(m.strength, 1), 'trend': round(m.trend, 1), 'direction': m.direction,
              'last_contact_at': m.last_contact_at, 'known_through': m.channels}
             order by coalesce(m.strength, -1) desc, m.full_name, m.person_id) as people,
        m.organisation_key in (select organisation_key from owner_keys) as is_own_organisation
    from members as m
    group by m.organisation_key
),

final as (
    select
        organisation_key, company, domains, people_known, linkedin_connections, people_in_touch_last_year,
        strongest_person_id, strongest_full_name, strongest_strength, strongest_tier, last_contact_at,
        last_contact_full_name, known_through, people_warming, people_cooling, strength_trend, is_own_organisation,
        people
    from organisations
)

select * from final order by people_known desc, company;
