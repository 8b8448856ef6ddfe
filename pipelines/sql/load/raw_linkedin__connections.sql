-- Upsert one batch of connections. A newer export updates company and position in place.
merge into raw_linkedin__connections as t
using (
    with keyed as (
        select
            *,
            case
                when profile_url is not null
                    then 'url:' || lower(rtrim(profile_url, '/'))
                when first_name = '' and last_name = ''
                    -- hidden members are told apart only by date and their order on that date
                    then 'blank:' || coalesce(connected_on::varchar, '?') || ':'
                         || row_number() over (partition by connected_on, first_name = '' and last_name = ''
                                               order by _ordinal)
                else 'name:' || lower(first_name || ' ' || last_name) || ':' || coalesce(connected_on::varchar, '?')
            end as connection_key
        from batch
    )
    select distinct on (connection_key) * exclude (_ordinal) from keyed order by connection_key, _ordinal
) as s
on t.connection_key = s.connection_key
when matched and (t.first_name, t.last_name, t.email, t.company, t.position, t.connected_on)
             is distinct from (s.first_name, s.last_name, s.email, s.company, s.position, s.connected_on)
    then update set first_name = s.first_name, last_name = s.last_name, email = s.email,
                    company = s.company, position = s.position, connected_on = s.connected_on,
                    _origin = s._origin, _run_id = s._run_id, _loaded_at = s._loaded_at
when not matched then insert by name
returning merge_action;
