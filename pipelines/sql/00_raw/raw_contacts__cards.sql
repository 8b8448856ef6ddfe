-- Address books (vCard files, Google Contacts CSV), as read. One row per card.
create table if not exists raw_contacts__cards (
    {{ columns_of('ContactCard') }},
    primary key (card_key)   -- uid:<UID> | card:<hash of name, addresses and phones>
);
