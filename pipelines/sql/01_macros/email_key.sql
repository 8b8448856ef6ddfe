-- How identities are keyed and names compared, in one place for every layer above.

-- An e-mail address as one mailbox: lower case, without a +tag; Gmail ignores dots and has two domains.
create or replace macro email_key(address) as (
    -- (the address lower-cased and trimmed once, bound by a one-element list: this runs on every
    -- party of every message, and each repeat of it cost as much as the rest)
    list_transform([lower(trim(address))], lambda a:
        case when position('@' in a) = 0 then null
             when suffix(a, '@gmail.com') or suffix(a, '@googlemail.com')
                 then replace(split_part(split_part(a, '@', 1), '+', 1), '.', '') || '@gmail.com'
             else split_part(split_part(a, '@', 1), '+', 1) || '@' || split_part(a, '@', -1) end)[1]
);
