-- E-mail with the reason it is automated, if it is: such mail is counted, never a relationship.
create or replace view int_mail_messages_classified as
with messages as (
    select * from int_mail_messages
),

classified as (
    select
        *,
        case
            when list_contains(labels, 'Spam') then 'spam (labelled Spam)'
            when list_id is not null then 'mailing list (List-Id)'
            when has_list_unsubscribe then 'bulk mail (List-Unsubscribe)'
            when precedence in ('bulk', 'list', 'junk') then 'bulk mail (Precedence: ' || precedence || ')'
            when auto_submitted is not null and auto_submitted <> 'no' then 'automatic reply (Auto-Submitted)'
            when is_automated_address(from_address.email) then 'automated sender (' || from_address.email || ')'
        end as automated_reason
    from messages
)

select *, automated_reason is not null as is_automated from classified;
