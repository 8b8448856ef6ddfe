-- One row per identity seen, with what resolution compares: names, address parts, company; and
-- its role: the owner's, automated (mail robots, lists, meeting rooms), ignored by the user, or a person.
-- Reads the temp tables `ignored_identities` (from people.toml) and `transliterations` (name, latin:
-- display names in other scripts, spelled in Latin letters).
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

named as (  -- the name an identity goes by: a whole name before a first name alone (others address Ramona
    -- Häfliger as Ramona), then LinkedIn's own, an address book's, else the one most written
    -- (a role address goes by its own name: info@ is Brightleaf, whoever signs its mail)
    select identity_key,
           arg_max(display_name, (is_whole, weight, length(display_name), display_name)) as display_name,
           arg_max(name_source, (is_whole, weight, length(display_name), display_name)) as name_source
    from (
        -- (only an identity of several names has one to choose: the others are spared the tokenising)
        select *, case when count(*) over (partition by identity_key) = 1 then false
                       else len(name_tokens(display_name)) >= 2 and not regexp_matches(
                           split_part(split_part(identity_key, 'email:', 2), '@', 1), getvariable('group_local_parts'))
                  end as is_whole
        from (
            -- names in automated mail (an auto-reply's "Away") count for little
            select identity_key, display_name,
                   count(*) filter (where not is_automated) + count(*) / 1000
                       + if(bool_or(role = 'connection'), 1e9, 0) + if(bool_or(role = 'card'), 1e8, 0) as weight,
                   case when bool_or(role = 'connection') then 'LinkedIn' when bool_or(role = 'card') then 'address book'
                        else 'display name' end as name_source
            from sightings
            where display_name is not null and position('@' in display_name) = 0
            group by all
        )
    )
    group by identity_key
),

linkedin as (  -- where LinkedIn (or else an address book) says someone works
    select identity_key,
           arg_max(company, (source = 'linkedin', connected_on, ref)) filter (where company is not null) as company,
           arg_max(position, (source = 'linkedin', connected_on, ref)) filter (where position is not null) as position,
           max(connected_on) as connected_on
    from sightings
    where role in ('connection', 'connection_email', 'card')
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
        max(occurred_at) as last_seen_at,
        -- when someone wrote from an address: two work addresses written from at once are two people
        min(occurred_at) filter (where role = 'from' and not is_automated) as mail_first_at,
        max(occurred_at) filter (where role = 'from' and not is_automated) as mail_last_at,
        -- robots whose mail has no bulk headers (receipts, job alerts, notifications) are senders
        -- nobody here ever writes to, and either all of their mail is filed away from person-to-person
        -- mail (Gmail's Updates, Promotions, Social, Forums), or they write as several people (below)
        -- (an address-book card is no writing to it: people keep their vendors' addresses too)
        not bool_or(role not in ('from', 'reply_to', 'card')) as is_never_addressed,
        count(*) filter (where role = 'from') >= 3
            and count(*) filter (where role = 'from' and not is_filed_as_bulk) = 0 as is_filed_away
    from sightings
    group by identity_key
),

voices as (  -- how many people a sender writes as: a notification service writes as whoever it notifies
    -- about ("Jane Doe via LinkedIn", "Jane Doe (Jira)", "Jane Doe via Docusign"); names by their surname
    select identity_key, count(distinct tokens[-1]) as voices
    from (select identity_key, name_tokens(display_name) as tokens
          from (select distinct identity_key, display_name from sightings
                where role = 'from' and display_name is not null))
    where len(tokens) >= 2
    group by identity_key
),

described as (
    select
        c.*,
        c.is_never_addressed and (c.is_filed_away or coalesce(v.voices, 0) >= 3) as is_unanswered_robot,
        n.display_name,
        t.latin is not null as is_transliterated,
        l.company,
        l.position,
        l.connected_on,
        if(c.kind = 'email', split_part(c.identity_key, ':', 2), null) as email,
        split_part(email, '@', 1) as local_part,
        split_part(email, '@', -1) as domain,
        -- a name in another script is compared in Latin letters (王伟: Wang Wei)
        nullif(name_tokens(coalesce(t.latin, n.display_name)), []) as display_tokens,
        -- without a display name, an address like drew.fossum@ or drew_fossum@ still says who it is
        if(c.kind = 'email' and regexp_matches(split_part(email, '@', 1), '^[a-z]{2,}[._-][a-z]{2,}$'),
           name_tokens(replace(replace(replace(split_part(email, '@', 1), '.', ' '), '_', ' '), '-', ' ')),
           null) as address_tokens,
        -- a first name alone that the address goes on from (Plinio <plinio.royo@>) is the address's name
        coalesce(len(display_tokens) = 1 and len(address_tokens) >= 2 and address_tokens[1] = display_tokens[1],
                 false) as is_first_of_address,
        coalesce(
            if(is_first_of_address, address_tokens, display_tokens),
            address_tokens,
            if(c.kind = 'linkedin_name', string_split(split_part(c.identity_key, ':', 2), ' '), null)
        ) as tokens,
        case when display_tokens is not null and not is_first_of_address then n.name_source
             when address_tokens is not null then 'address'
             when c.kind = 'linkedin_name' then 'LinkedIn' end as name_source
    from counted as c
    left join voices as v using (identity_key)
    left join named as n using (identity_key)
    left join transliterations as t on t.name = n.display_name
    left join linkedin as l using (identity_key)
),

profiled as (
    select
        *,
        if(len(tokens) >= 2, tokens[1], null) as first_name,
        if(len(tokens) >= 2, tokens[-1], null) as last_name,
        -- the last name with umlauts spelled out (Müller: mueller), as addresses often write it
        if(len(tokens) >= 2 and display_name is not null, name_tokens(display_name, german := true)[-1], null) as last_name_spelled,
        -- a name of three words or more (not a middle initial), as an address may join it: the first
        -- two as one given name (Thị Hoa Lê: thihoa.le@), the rest as one surname (Jan van der Berg:
        -- jan.vanderberg@). (The second word alone as the surname, José García López's jose.garcia@,
        -- would spell "Thị Hoa" as a full name: thihoa@ would fit every Thị Hoa.)
        len(tokens) >= 3 and length(tokens[2]) >= 2 as is_compound_name,
        if(is_compound_name, tokens[1] || tokens[2], null) as given_joined,
        -- the second word, which a shorter form of the name may end on (José García for José García López)
        if(is_compound_name, tokens[2], null) as second_word,
        list_distinct([last_name, last_name_spelled]
                      || if(is_compound_name, [array_to_string(tokens[2:], '')], [])) as surname_forms,
        regexp_replace(local_part, '[^a-z]', '', 'g') as local_letters,
        -- a role address (sales@, team@) that people answer from is nobody's own: never linked by name
        -- and so is a household's ("Paola & Jennifer Luciani", "Familie Cuevas", heinzfamily@)
        kind = 'email' and (regexp_matches(local_part, getvariable('group_local_parts'))
                            or regexp_matches(lower(coalesce(display_name, '')), '\s(&|\+|and|und|et)\s')
                            or regexp_matches(lower(local_part || ' ' || coalesce(display_name, '')),
                                              'famil(y|ie|le|ia)')) as is_role_address,
        -- a personal provider: the maintained list (personal_mail_domains), and the big ones under
        -- any country's domain (gmx.at, yahoo.com.br, hotmail.it)
        domain in (select domain from personal_mail_domains)
            or regexp_matches(domain, '^(gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|icloud|me|mac|aol|gmx|'
                                      || 'web|proton|protonmail|pm|yandex|qq|163|126|zoho|fastmail|hey|t-online|orange|'
                                      || 'free|libero|seznam|wp|o2|btinternet|comcast|verizon)\.') as is_free_mail,
        regexp_replace(coalesce(domain_label(domain), ''), '[^a-z]', '', 'g') as domain_letters,
        -- a company's name without its legal form, letters only (Otter Games Ltd. -> ottergames), and
        -- with umlauts spelled out as German domains write them (Hörle Caspar -> hoerlecaspar)
        company_letters(company) as company_letters,
        company_letters(company, german := true) as company_letters_spelled,
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
            when p.kind = 'email' and (is_automated_address(p.email) or p.human_sightings = 0
                                       or p.is_unanswered_robot) then 'automated'
            when p.kind = 'email' and not p.acts and regexp_matches(p.local_part, getvariable('group_local_parts')) then 'automated'
            else 'person'
        end as role,
        case
            when o.identity_key is not null then o.evidence
            when i.identity_key is not null then 'ignored in people.toml'
            when p.kind = 'email' and is_automated_address(p.email) then 'automated sender address'
            when p.kind = 'email' and p.human_sightings = 0 then 'appears only in automated mail or as a room'
            when p.kind = 'email' and p.is_unanswered_robot and p.is_filed_away
                then 'never written to, and all its mail filed under Updates, Promotions, Social or Forums'
            when p.kind = 'email' and p.is_unanswered_robot
                then 'never written to, and it writes as several people (a notification service)'
            when p.kind = 'email' and not p.acts and regexp_matches(p.local_part, getvariable('group_local_parts'))
                then 'a group address (distribution list) that never writes itself'
        end as role_evidence
    from profiled as p
    left join owner as o using (identity_key)
    left join ignored_identities as i using (identity_key)
)

select * from with_role;
