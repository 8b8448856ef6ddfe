-- LinkedIn invitations from the data export, sent and received, as read.
create table if not exists raw_linkedin__invitations (
    invitation_key  varchar primary key,   -- md5 of direction, time, parties
    {{ columns_of('LinkedInInvitation') }}
);
