-- Metric constants as the last build saw them: the [metrics] section over the defaults.
create table if not exists metric_settings (
    key    varchar primary key,
    value  double not null
);
