-- LinkedIn connections from the data export, as read; the natural key makes re-imports and newer
-- exports harmless. The columns are the record's (connectors/records.py), plus which run loaded each row.
create table if not exists raw_linkedin__connections (
    connection_key  varchar primary key,   -- url:<profile url> | blank:<date>:<n> | name:<name>:<date>
    {{ columns_of('LinkedInConnection') }}
);
