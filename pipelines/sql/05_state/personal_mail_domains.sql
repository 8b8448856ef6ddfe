-- Reference data tiekeeper ships, written by pipelines/reference.py when it changes.

-- Mail providers anyone can sign up with (gmail.com, gmx.de, ...): an address there says nothing
-- about where its owner works.
create table if not exists personal_mail_domains (
    domain  varchar primary key
);
