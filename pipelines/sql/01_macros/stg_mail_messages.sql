-- The messages of a raw mail table (or of a query shaped like one), as every mail source's staging
-- view gives them: renamed, with the recipient count and the Sent label read. Every other column
-- passes through, so a field a mail record gains reaches the views without an edit here.
create or replace macro stg_mail_messages(raw) as table
select
    * exclude (header_hash, _loaded_at)
      rename ("references" as reference_ids, from_addr as from_address, reply_to as reply_to_addresses,
              "to" as to_addresses, cc as cc_addresses, bcc as bcc_addresses,
              _origin as origin, _run_id as run_id),
    len("to") + len(cc) as recipient_count,
    list_contains(labels, 'Sent') as has_sent_label
from query_table(raw);
