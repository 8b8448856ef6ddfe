-- Upsert one batch of cards. A card with a UID that was edited since the last export is updated.
merge into raw_contacts__cards as t
using (
    select distinct on (card_key) * exclude (_ordinal) from batch order by card_key, _ordinal
) as s
on t.card_key = s.card_key
when matched and (t.full_name, t.given_name, t.family_name, t.nickname, t.organization, t.title, t.emails,
                  t.phones, t.linkedin_url)
             is distinct from (s.full_name, s.given_name, s.family_name, s.nickname, s.organization, s.title,
                               s.emails, s.phones, s.linkedin_url)
    then update set full_name = s.full_name, given_name = s.given_name, family_name = s.family_name,
                    nickname = s.nickname, organization = s.organization, title = s.title, emails = s.emails,
                    phones = s.phones, linkedin_url = s.linkedin_url, format = s.format,
                    _origin = s._origin, _run_id = s._run_id, _loaded_at = s._loaded_at
when not matched then insert by name
returning merge_action;
