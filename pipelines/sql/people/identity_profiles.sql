-- One row per identity seen, with what resolution compares: names, address parts, company; and
-- its role: the owner's, automated (mail robots, lists, meeting rooms), ignored by the user, or a person.
-- Reads the temp table `ignored_identities` (from people.toml).
set variable group_local_parts = '^(all|everyone|staff|team|teams|engineering|eng|dev|developers|sales|marketing|'
    || 'hr|people|office|info|support|admin|ops|operations|finance|accounting|legal|product|design|research|hello|'
    || 'contact|press|jobs|careers|billing|accounts|help|partners|community|events|news|it|security|board|'
    || 'management|leadership|founders)([-_.].*)?$';

create or replace temp table identity_profiles as
with sightings as (
    select * from int_identity_sightings
),

owner as (
    select * from int_owner_identities
),

named as (  -- the name an identity goes by: LinkedIn's own, else the one it is most often written with
    select identity_key, arg_max(display_name, (weight, length(display_name), display_name)) as display_name
    from (
        -- names in automated mail (an auto-reply's "Away") count for little
        select identity_key, display_name,
               count(*) filter (where not is_automated) + count(*) / 1000 + if(bool_or(role = 'connection'), 1e9, 0)
                   as weight
        from sightings
        where display_name is not null and position('@' in display_name) = 0
        group by all
    )
    group by identity_key
),

linkedin as (
    select identity_key, arg_max(company, (connected_on, ref)) as company, arg_max(position, (connected_on, ref)) as position,
           max(connected_on) as connected_on
    from sightings
    where role in ('connection', 'connection_email')
    group by identity_key
),

counted as (
    select
        identity_key,
        any_value(kind) as kind,
        count(*) as sightings,
        count(*) filter (where not is_automated) as human_sightings,
        -- whether it ever acts: sends mail, organises or answers an invitation, is a LinkedIn member
        bool_or(role in ('from', 'reply_to', 'organizer', 'attendee:accepted', 'attendee:declined',
                         'attendee:tentative', 'connection', 'connection_email', 'sender', 'inviter')) as acts,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from sightings
    group by identity_key
),

described as (
    select
        c.*,
        n.display_name,
        l.company,
        l.position,
        l.connected_on,
        if(c.kind = 'email', split_part(c.identity_key, ':', 2), null) as email,
        split_part(email, '@', 1) as local_part,
        split_part(email, '@', -1) as domain,
        -- without a display name, an address like robert.smith@ still says who it is
        coalesce(
            nullif(name_tokens(n.display_name), []),
            if(c.kind = 'email' and regexp_matches(split_part(email, '@', 1), '^[a-z]{2,}[._-][a-z]{2,}$'),
               name_tokens(replace(replace(replace(split_part(email, '@', 1), '.', ' '), '_', ' '), '-', ' ')),
               null),
            if(c.kind = 'linkedin_name', string_split(split_part(c.identity_key, ':', 2), ' '), null)
        ) as tokens
    from counted as c
    left join named as n using (identity_key)
    left join linkedin as l using (identity_key)
),

profiled as (
    select
        *,
        if(len(tokens) >= 2, tokens[1], null) as first_name,
        if(len(tokens) >= 2, tokens[-1], null) as last_name,
        -- the last name with umlauts spelled out (Müller: mueller), as addresses often write it
        if(len(tokens) >= 2 and display_name is not null, name_tokens(display_name, german := true)[-1], null) as last_name_spelled,
        regexp_replace(local_part, '[^a-z]', '', 'g') as local_letters,
        regexp_matches(domain, '^(gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|icloud|me|mac|aol|gmx|web|'
                               || 'proton|protonmail|pm|mail|yandex|qq|163|126|zoho|fastmail|hey|t-online|orange|free|'
                               || 'libero|seznam|wp|o2|btinternet|comcast|verizon)\.') as is_free_mail,
        regexp_replace(coalesce(domain_label(domain), ''), '[^a-z]', '', 'g') as domain_letters,
        -- a company's name without its legal form, letters only: Otter Games Ltd. -> ottergames
        array_to_string(list_filter(string_split(coalesce(fold_name(company), ''), ' '), lambda word: word <> '' and not list_contains(
            ['inc', 'gmbh', 'ltd', 'llc', 'ag', 'sa', 'bv', 'nv', 'plc', 'co', 'corp', 'corporation', 'group', 'company',
             'limited', 'the', 'se', 'srl', 'oy', 'ab', 'as', 'kg', 'spa', 'sarl', 'sas', 'holding', 'holdings'], word)),
            '') as company_letters,
        -- and its initials, for domains like sjp-legal.com (Smith, Jones & Partners)
        array_to_string(list_transform(list_filter(string_split(coalesce(fold_name(company), ''), ' '),
            lambda word: word <> ''), lambda word: word[1]), '') as company_initials
    from described
),

with_role as (
    select
        p.*,
        case
            when o.identity_key is not null then 'owner'
            when i.identity_key is not null then 'ignored'
            when p.kind = 'email' and (is_automated_address(p.email) or p.human_sightings = 0) then 'automated'
            when p.kind = 'email' and not p.acts and regexp_matches(p.local_part, getvariable('group_local_parts')) then 'automated'
            else 'person'
        end as role,
        case
            when o.identity_key is not null then o.evidence
            when i.identity_key is not null then 'ignored in people.toml'
            when p.kind = 'email' and is_automated_address(p.email) then 'automated sender address'
            when p.kind = 'email' and p.human_sightings = 0 then 'appears only in automated mail or as a room'
            when p.kind = 'email' and not p.acts and regexp_matches(p.local_part, getvariable('group_local_parts'))
                then 'a group address (distribution list) that never writes itself'
        end as role_evidence
    from profiled as p
    left join owner as o using (identity_key)
    left join ignored_identities as i using (identity_key)
)

select * from with_role;
