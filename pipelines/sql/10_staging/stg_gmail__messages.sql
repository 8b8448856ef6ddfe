-- E-mail messages from the Gmail API: header metadata only.
create or replace view stg_gmail__messages as
select * from stg_mail_messages('raw_gmail__messages');
