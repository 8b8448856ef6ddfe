-- Insert new invitations; the same invitation in a later export is a duplicate.
merge into raw_linkedin__invitations as t
using (
    with keyed as (
        select *, md5(concat_ws('|', direction, sent_at::varchar, coalesce(inviter_url, sender_name),
                                coalesce(invitee_url, recipient_name))) as invitation_key
        from batch
    )
    select distinct on (invitation_key) * exclude (_ordinal) from keyed order by invitation_key, _ordinal
) as s
on t.invitation_key = s.invitation_key
when not matched then insert by name
returning merge_action;
