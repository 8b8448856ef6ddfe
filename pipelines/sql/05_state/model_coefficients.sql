-- The learned models' coefficients, one row per feature of each fit in model_fits.
create table if not exists model_coefficients (
    model         varchar not null,
    fitted_as_of  timestamptz not null,
    feature       varchar not null,   -- a column of tie_inputs or reply_candidates
    mean          double not null,    -- the feature is standardised: (x - mean) / scale
    scale         double not null,
    coefficient   double not null,
    primary key (model, fitted_as_of, feature)
);
