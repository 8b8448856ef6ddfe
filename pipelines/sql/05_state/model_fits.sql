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
