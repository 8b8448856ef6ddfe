-- A LinkedIn profile URL as its profile slug, however it was written (http, www, trailing slash, %-encoding).
create or replace macro linkedin_slug(url) as (
    nullif(regexp_extract(lower(url_decode(trim(url))), 'linkedin\.com/in/([^/?#]+)', 1), '')
);
