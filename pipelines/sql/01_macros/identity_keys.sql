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

-- A name folded for comparison: no accents (also the letters strip_accents keeps: ł ø đ ß æ œ þ),
-- lower case, letters and single spaces only.
create or replace macro fold_name(name) as (
    nullif(trim(regexp_replace(
        replace(replace(replace(replace(replace(replace(replace(
            strip_accents(lower(name)), 'ł', 'l'), 'ø', 'o'), 'đ', 'd'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'),
        '[^a-z]+', ' ', 'g')), '')
);

-- A person's name as folded tokens, in "first ... last" order: "Doe, Jane" is turned round, and
-- titles, credentials and suffixes ("Dr", "MBA", "PhD", "Jr") are dropped.
create or replace macro name_tokens(name) as (
    list_filter(
        string_split(coalesce(fold_name(
            case when regexp_matches(name, '^[^,]+,\s*[^,\s]+(\s+[^,\s]+)?$')
                      and not regexp_matches(lower(split_part(name, ',', 2)),
                                             '^\s*(mba|phd|ph\.d\.|cpa|cfa|pmp|md|msc|bsc|jr|sr|esq|pe|ii|iii)\.?\s*$')
                 then split_part(name, ',', 2) || ' ' || split_part(name, ',', 1)
                 else name end), ''), ' '),
        lambda token: token <> '' and not list_contains(
            ['mr', 'mrs', 'ms', 'dr', 'prof', 'mba', 'phd', 'cpa', 'cfa', 'pmp', 'md', 'msc', 'bsc', 'ma', 'ba',
             'jr', 'sr', 'esq', 'pe', 'ii', 'iii', 'cissp', 'frsa', 'facs'], token))
);

-- The usual local parts of automated senders (noreply, notifications, bounces, daemons, calendars).
create or replace macro is_automated_address(address) as (
    regexp_matches(lower(split_part(address, '@', 1)),
        '^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|notifications?|notify|alerts?|mailer[-_.]?daemon'
        || '|postmaster|bounces?|calendar[-_.]?notification|newsletters?|digest|automated|auto[-_.]?confirm)([-+_.].*)?$')
    or regexp_matches(lower(split_part(address, '@', 1)), '(^|[-_.])(noreply|no-reply|notifications?)([-_.+]|$)')
    or regexp_matches(lower(split_part(address, '@', -1)), '(^|\.)(bounces?|mailer|notifications?)\.')
);
