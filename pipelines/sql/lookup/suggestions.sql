-- The uncertain matches to review (`tiekeeper people suggest`, and the count each build prints): one
-- per two people, their strongest pair. Accepting it makes the two one, and rejecting it keeps them
-- apart, whichever of their identities the other pairs name.
select m.match_id, m.score, m.probability, m.evidence, m.decision,
       l.identity_key as left_key, l.display_name as left_name, l.sightings as left_sightings,
       r.identity_key as right_key, r.display_name as right_name, r.sightings as right_sightings
from identity_matches as m
join identities as l on l.identity_key = m.left_key
join identities as r on r.identity_key = m.right_key
where m.decision like 'suggested%'
qualify row_number() over (partition by least(l.person_id, r.person_id), greatest(l.person_id, r.person_id)
                           order by m.score desc, m.match_id) = 1
