-- Who each person is (the owner excluded), across every source: name, addresses, company, position,
-- LinkedIn profile, and every moment you were in touch (the `people` view takes the first and last
-- before as_of()). Every per-person mart joins this for `full_name`, `company` and `primary_email`.
-- Materialised: a table every writing run rebuilds (warehouse.refresh_tables), read by the views
-- without scanning, nor even planning, every sighting again. Rebuilt right after the people build,
-- it reads the build's copy of the sightings (people.sightings_cached).
create or replace table int_person_profiles as
with identities as (
    select * from main.identities where role = 'person'
),

sightings as (  -- only the sightings that say who someone is: connections and address-book cards
    select * from int_identity_sightings where role in ('connection', 'card')
),

linkedin as (  -- the LinkedIn side of a person: profile, company, position, connection date
    select
        i.person_id,
        -- all from the latest connection row (ties broken by its key, so every run agrees)
        arg_max(s.display_name, (s.connected_on, s.ref)) as linkedin_name,
        arg_max(s.raw_value, (s.connected_on, s.ref)) as linkedin_url,
        arg_max(s.company, (s.connected_on, s.ref)) as company,
        arg_max(s.position, (s.connected_on, s.ref)) as position,
        max(s.connected_on) as connected_on
    from identities as i
    join sightings as s on s.identity_key = i.identity_key and s.role = 'connection' and s.kind = 'linkedin_url'
    group by i.person_id
),

cards as (  -- what the owner's address book says: a name, an organisation, a title
    select
        i.person_id,
        arg_max(s.display_name, s.ref) filter (where s.display_name is not null) as card_name,
        arg_max(s.company, s.ref) filter (where s.company is not null) as organization,
        arg_max(s.position, s.ref) filter (where s.position is not null) as title
    from identities as i
    join sightings as s on s.identity_key = i.identity_key and s.role = 'card'
    group by i.person_id
),

contact as (  -- appearances that were real contact: not automated mail, not cancelled meetings, not
              -- declined invitations; address-book cards have no time
    select i.person_id, list(distinct s.occurred_at order by s.occurred_at) as contact_times
    from identities as i
    join int_identity_sightings as s using (identity_key)
    left join int_calendar_events as e on s.source = 'ics' and e.event_key = s.ref
    where not s.is_automated
      and s.occurred_at is not null
      and not coalesce(e.is_cancelled, false)
      and s.role not in ('attendee:declined')
    group by i.person_id
),

per_person as (
    select
        i.person_id,
        -- the most used name; on a tie the fuller one ("Ann Lee" over "A. L."), then the first by letter
        arg_max(i.display_name, (i.sightings, length(i.display_name), i.display_name))
            filter (where i.display_name is not null) as most_used_name,
        list(split_part(i.identity_key, ':', 2) order by i.sightings desc, i.identity_key) filter (where i.kind = 'email') as emails,  -- ties by letter: the same on every build
        -- a work address says where someone works when LinkedIn does not (a personal one does not)
        arg_max(split_part(i.identity_key, '@', -1), (i.sightings, i.identity_key)) filter (
            where i.kind = 'email'
              and split_part(i.identity_key, '@', -1) not in (select domain from personal_mail_domains)
        ) as work_domain,
        list(i.identity_key order by i.identity_key) as identity_keys
    from identities as i
    group by i.person_id
),

joined as (
    select
        p.person_id,
        -- a name from mail without what mail programs add to it ("Jane Doe | Acme", "Jane Doe (she/her)")
        coalesce(l.linkedin_name, k.card_name, person_name(bare_name(p.most_used_name)), p.emails[1]) as full_name,
        coalesce(p.emails, []) as emails,
        p.emails[1] as primary_email,  -- the most used address
        coalesce(l.company, k.organization, p.work_domain) as company,
        coalesce(l.position, k.title) as position,
        l.linkedin_url,
        l.connected_on,
        p.person_id in (select person_id from pinned_people) as is_pinned_close,
        p.identity_keys,
        coalesce(c.contact_times, []) as contact_times
    from per_person as p
    left join linkedin as l using (person_id)
    left join cards as k using (person_id)
    left join contact as c using (person_id)
)

select * from joined;
