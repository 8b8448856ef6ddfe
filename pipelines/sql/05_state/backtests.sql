-- `tiekeeper backtest`: how well each view predicted what then happened, at cuts spread over the
-- owner's history, beside a naive baseline given the same task.
create table if not exists backtests (
    cut_at          timestamptz not null,  -- the view was evaluated as of this moment, from what came before
    measure         varchar not null,      -- e.g. 'follow-ups: weighted lapse precision'
    value           double,                -- tiekeeper's figure
    baseline        varchar,               -- what it is compared with
    baseline_value  double,
    numerator       double,                -- the figure's parts, so cuts can be pooled
    denominator     double,
    baseline_numerator    double,
    baseline_denominator  double,
    method          varchar,               -- learned or published, as the view used it at this cut
    events_seen     bigint,                -- interactions up to the end of the cut's outcome window:
                                           -- when it changes (an older export loaded), the cut is checked again
    computed_at     timestamptz not null,
    primary key (cut_at, measure)
);
