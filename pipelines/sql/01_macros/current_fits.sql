-- The fit of each model that views evaluated as of as_of() use: the latest one made from data before
-- as_of() (pipelines/learning.py writes them). No fit, or a fit that kept the published method,
-- means the published formula (docs/metrics.md).
create or replace macro current_fits() as table
select m.*
from model_fits as m
join (select model, max(fitted_as_of) as fitted_as_of from model_fits where fitted_as_of <= as_of() group by model)
    using (model, fitted_as_of);
