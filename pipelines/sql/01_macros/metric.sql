-- A metric constant from [metrics] in tiekeeper.toml (defaults in pipelines/metrics.py).
create or replace macro metric(name) as ((select value from metric_settings where key = name));
