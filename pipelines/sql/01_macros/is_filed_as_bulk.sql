-- Whether the mail provider filed a message away from the person-to-person mail: Gmail's Updates,
-- Promotions, Social and Forums categories (Outlook's "Other" arrives as Updates, see stg_outlook__messages).
create or replace macro is_filed_as_bulk(labels) as (
    list_has_any(labels, ['Category Updates', 'Category Social', 'Category Forums', 'Category Promotions'])
);
