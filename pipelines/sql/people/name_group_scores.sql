-- Pairs whose only agreement is their whole name, scored again with everything else known of the
-- name's identities (the temp table name_group_fit, from pipelines/namesakes.py: left_key,
-- right_key, the probability that the two are one person, how many identities bear the name, how
-- many people they most likely are and how many namesakes the fit expects of the name). What the
-- mail says is added as before; pairs that are one person or two for certain are left as they are.
update identity_candidates as c
set score = n.score,
    evidence = if(n.score >= getvariable('suggest_score'),
                  concat_ws('; ', n.name_words, n.group_words, nullif(c.other_words, '')), null)
from (
    select c.left_key, c.right_key,
           log2(p.together / (1 - p.together)) + c.mail_bits as score,
           'same name ' || namesakes_in_words(g.namesakes, s.excess) as name_words,
           format('the name''s {} identities here are most likely {}', g.identities,
                  if(round(g.people) <= 1, 'one person''s', format('{} people''s', round(g.people)::int))) as group_words
    from identity_candidates as c
    join name_group_fit as g using (left_key, right_key)
    cross join namesake_scale as s
    cross join lateral (select greatest(least(g.together, 1 - 1e-9), 1e-9) as together) as p
    where c.is_name_alone
      -- (what is certain keeps its own words: the clusters decide those pairs by it)
      and (c.left_key, c.right_key) not in (select (left_key, right_key) from name_group_evidence)
) as n
where c.left_key = n.left_key and c.right_key = n.right_key;
