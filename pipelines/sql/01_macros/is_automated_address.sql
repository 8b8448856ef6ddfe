-- The usual local parts of automated senders (noreply, notifications, bounces, daemons, calendars).
create or replace macro is_automated_address(address) as (
    regexp_matches(lower(split_part(address, '@', 1)),
        '^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|notifications?|notify|alerts?|mailer[-_.]?daemon'
        || '|postmaster|bounces?|calendar[-_.]?notification|newsletters?|digest|automated|auto[-_.]?confirm)([-+_.].*)?$')
    or regexp_matches(lower(split_part(address, '@', 1)), '(^|[-_.])(noreply|no-reply|notifications?)([-_.+]|$)')
    or regexp_matches(lower(split_part(address, '@', -1)), '(^|\.)(bounces?|mailer|notifications?)\.')
);
