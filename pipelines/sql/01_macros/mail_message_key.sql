-- A message's natural key, the same in every mail source: its Message-ID in angle brackets, or
-- without one the hash of its header block.
create or replace macro mail_message_key(message_id, header_hash) as (
    coalesce('<' || message_id || '>', 'sha256:' || header_hash)
);
