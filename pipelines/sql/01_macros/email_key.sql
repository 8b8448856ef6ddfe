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
