-- What tiekeeper learned from the owner's own history (pipelines/learning.py): for each model and
-- each moment it was fitted as of (the start of a run's day, or a backtest's cut), whether the
-- learned model or the published formula is used, and the learned model's coefficients. A view
-- evaluated as of a moment uses the latest fit made from data before it. A fit is a function of
-- the data before its moment: fitting again as of the same moment gives the same rows.
create table if not exists model_fits (
    model                 varchar not null,      -- strength, lapse (follow-ups), reply (replies you owe)
    fitted_as_of          timestamptz not null,  -- only what happened before this moment was read
    method                varchar not null,      -- learned | published
    reason                varchar not null,      -- why this method, in words
    intercept             double,
    threshold             double,                -- lapse, reply: listed from this probability on
    training_cuts         integer not null,
    training_rows         integer not null,
    validation_measure    varchar,               -- how learned and published compared on the latest cuts
    validation_learned    double,
    validation_published  double,
    primary key (model, fitted_as_of)
);

create table if not exists model_coefficients (
    model         varchar not null,
    fitted_as_of  timestamptz not null,
    feature       varchar not null,   -- a column of tie_inputs or reply_candidates
    mean          double not null,    -- the feature is standardised: (x - mean) / scale
    scale         double not null,
    coefficient   double not null,
    primary key (model, fitted_as_of, feature)
);

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
