-- E-mail messages from mbox exports: header metadata only.
create or replace view stg_mbox__messages as
select * from stg_mail_messages('raw_mbox__messages');
