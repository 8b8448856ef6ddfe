-- How identities are keyed and names compared, in one place for every layer above.

-- An e-mail address as one mailbox: lower case, without a +tag; Gmail ignores dots and has two domains.
create or replace macro email_key(address) as (
    case
        when address is null or position('@' in address) = 0 then null
        when lower(split_part(trim(address), '@', -1)) in ('gmail.com', 'googlemail.com')
            then replace(split_part(split_part(lower(trim(address)), '@', 1), '+', 1), '.', '') || '@gmail.com'
        else split_part(split_part(lower(trim(address)), '@', 1), '+', 1) || '@' || lower(split_part(trim(address), '@', -1))
    end
);

-- A LinkedIn profile URL as its profile slug, however it was written (http, www, trailing slash, %-encoding).
create or replace macro linkedin_slug(url) as (
    nullif(regexp_extract(lower(url_decode(trim(url))), 'linkedin\.com/in/([^/?#]+)', 1), '')
);

-- A name folded for comparison: no accents, also on the letters that do not decompose (ı ł ø đ ð ß
-- æ œ þ), lower case, letters and single spaces only; apostrophes and hyphens join (O'Connor:
-- oconnor, Al-Najjar: alnajjar, as addresses write them). `german` spells umlauts out (Müller: mueller).
create or replace macro fold_name(name, german := false) as (
    nullif(trim(regexp_replace(regexp_replace(
        strip_accents(
            replace(replace(replace(replace(replace(replace(replace(replace(replace(
                case when german then replace(replace(replace(lower(name), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue')
                     else lower(name) end,
                'ı', 'i'), 'ł', 'l'), 'ø', 'o'), 'đ', 'd'), 'ð', 'd'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th')),
        '[''’‐-]+', '', 'g'), '[^a-z]+', ' ', 'g')), '')
);

-- The organisation part of a mail domain: acme from mail.acme.co.uk, iron-studio from iron-studio.ae.
create or replace macro domain_label(domain) as (
    list_filter(
        string_split(domain, '.')[:-2],
        lambda label: not list_contains(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'or', 'ne', 'mail', 'www'], label)
    )[-1]
);

-- A person's name as folded tokens, in "first ... last" order: "Doe, Jane" is turned round, what
-- follows a comma otherwise ("Jane Doe, MBA", "Saleh, Certified Coach") is dropped, and so are titles.
create or replace macro name_tokens(name, german := false) as (
    list_filter(
        string_split(coalesce(fold_name(
            case when not contains(name, ',') then name
                 -- "Doe, Jane" or "Smith, Robert J.": a short name after the comma, not a credential
                 when regexp_matches(name, '^[^,]+,\s*[^,\s]+(\s+[^,\s]+)?$')
                      and not regexp_matches(lower(split_part(name, ',', 2)),
                                             '^\s*(mba|phd|ph\.\s?d\.?|cpa|cfa|pmp|md|msc|bsc|ma|jr|sr|esq|pe|ii|iii|cissp)\.?\s*$')
                      and not regexp_matches(split_part(name, ',', 2), '^\s*[A-Z]{2,}\s*$')
                 then split_part(name, ',', 2) || ' ' || split_part(name, ',', 1)
                 else split_part(name, ',', 1) end, german := german), ''), ' '),
        lambda token: token <> '' and not list_contains(
            ['mr', 'mrs', 'ms', 'dr', 'prof', 'mba', 'phd', 'cpa', 'cfa', 'pmp', 'md', 'msc', 'bsc', 'jr', 'sr', 'esq',
             'ii', 'iii'], token))
);

-- The usual local parts of automated senders (noreply, notifications, bounces, daemons, calendars).
create or replace macro is_automated_address(address) as (
    regexp_matches(lower(split_part(address, '@', 1)),
        '^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|notifications?|notify|alerts?|mailer[-_.]?daemon'
        || '|postmaster|bounces?|calendar[-_.]?notification|newsletters?|digest|automated|auto[-_.]?confirm)([-+_.].*)?$')
    or regexp_matches(lower(split_part(address, '@', 1)), '(^|[-_.])(noreply|no-reply|notifications?)([-_.+]|$)')
    or regexp_matches(lower(split_part(address, '@', -1)), '(^|\.)(bounces?|mailer|notifications?)\.')
);

-- A display name as people write it: "Watson, Simon" turned round; anything else as it is.
create or replace macro person_name(name) as (
    case when regexp_matches(name, '^[^,@]+,\s*[^,\s]+(\s+[^,\s]+)?$')
              and not regexp_matches(lower(split_part(name, ',', 2)),
                                     '^\s*(mba|phd|ph\.\s?d\.?|cpa|cfa|pmp|md|msc|bsc|ma|jr|sr|esq|pe|ii|iii|cissp)\.?\s*$')
              and not regexp_matches(split_part(name, ',', 2), '^\s*[A-Z]{2,}\s*$')
         then trim(split_part(name, ',', 2)) || ' ' || trim(split_part(name, ',', 1))
         else name end
);
