-- The learned models' linear predictors for every row of a relation of model inputs (columns
-- x_..., beside the keys person_id and cut_at): per model, the intercept plus each standardised
-- input times its coefficient.
create or replace macro linear_predictors(inputs) as table
with fits as (
    select * from current_fits() where method = 'learned'
),
long as (
    unpivot (select person_id, cut_at, columns('^x_') from query_table(inputs))
    on columns('^x_') into name feature value x
)
select l.person_id, l.cut_at, c.model, any_value(f.intercept) + sum((l.x - c.mean) / c.scale * c.coefficient) as z
from long as l
join model_coefficients as c on c.feature = l.feature
join fits as f on f.model = c.model and f.fitted_as_of = c.fitted_as_of
group by l.person_id, l.cut_at, c.model;
