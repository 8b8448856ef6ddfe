-- Identities that a source itself says are one person: the addresses and LinkedIn profile on one
-- address-book card, and the address LinkedIn shows for a connection. Reads identity_profiles.
create or replace temp table identity_links as
with sightings as (
    select identity_key, source, ref from int_identity_sightings
    where role in ('card', 'connection', 'connection_email')
),

grouped as (
    select s.source, s.ref, list(distinct s.identity_key order by s.identity_key) as keys
    from sightings as s
    join identity_profiles as p on p.identity_key = s.identity_key and p.role = 'person'
    group by s.source, s.ref
)

select keys[1] as left_key, unnest(keys[2:]) as right_key,
       if(source = 'contacts', 'listed together on one address-book card',
          'the address LinkedIn shows for this connection') as evidence
from grouped
where len(keys) >= 2;
