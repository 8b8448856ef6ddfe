-- Insert new messages. Overlapping exports share Message-IDs; without one, the header hash decides.
-- Within a batch the first copy wins: it is found on the keys alone, so that whole rows are neither
-- sorted nor matched (a merge statement doing both took half again as long as this insert).
insert into raw_mbox__messages by name
with keyed as (
    select *, mail_message_key(message_id, header_hash) as message_key
    from batch
),
first_copies as (
    select min(_ordinal) as _ordinal from keyed group by message_key
)
select * exclude (_ordinal) from keyed
where _ordinal in (select _ordinal from first_copies)
  and message_key not in (select message_key from raw_mbox__messages)
returning 'INSERT' as merge_action;
