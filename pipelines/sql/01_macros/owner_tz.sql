-- Days, weeks and hours are the owner's ([owner] timezone), whatever the TimeZone of the session
-- that queries: the same database and as-of time give the same rows in Tokyo and in Berlin.
create or replace macro owner_tz() as (coalesce((select any_value(timezone) from owner_settings), 'UTC'));
