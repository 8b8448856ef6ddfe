-- Each ISO week's relationship scores, kept so that trends and "why did this drop" are answerable.
create table if not exists strength_history (
    week            date not null,        -- the Monday the week starts; scores as of its end
    person_id       varchar not null,
    strength        double not null,      -- 0-100
    tier            varchar not null,
    raw_score       double not null,      -- the published score R = rho * S * (1 + 0.1 (k - 1))
    decayed_sum     double not null,      -- S
    reciprocity     double not null,      -- rho
    channels        integer not null,     -- k
    primary key (week, person_id)
);
-- Databases from before strength was read as expected contact.
alter table strength_history add column if not exists expected_contact_days double;
