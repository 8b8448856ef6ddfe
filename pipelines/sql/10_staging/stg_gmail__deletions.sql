-- Gmail messages deleted for good: no longer part of the mailbox, whichever source stored them.
create or replace view stg_gmail__deletions as
with source as (
    select * from raw_gmail__deletions
),

renamed as (
    select
        gmail_id,
        deleted_at,
        _run_id as run_id
    from source
)

select * from renamed;
