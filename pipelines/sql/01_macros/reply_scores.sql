-- The reply model's answer to every candidate: how likely the owner is to answer it, from the fit
-- current as of as_of() (null when the published rules are in use).
create or replace macro reply_scores(cuts, messages := 'int_reply_messages') as table
with candidates as (
    select * from reply_candidates(cuts, messages := messages)
),

fit as (
    select * from current_fits() where model = 'reply' and method = 'learned'
),

long as (
    unpivot (select cut_at, channel, message_ref, columns('^x_') from candidates)
    on columns('^x_') into name feature value x
),

linear as (
    select l.cut_at, l.channel, l.message_ref,
           any_value(f.intercept) + sum((l.x - c.mean) / c.scale * c.coefficient) as z
    from long as l
    join model_coefficients as c on c.feature = l.feature
    join fit as f on f.model = c.model and f.fitted_as_of = c.fitted_as_of
    group by l.cut_at, l.channel, l.message_ref
)

select c.*, 1 / (1 + exp(-l.z)) as answer_probability
from candidates as c
left join linear as l using (cut_at, channel, message_ref);
