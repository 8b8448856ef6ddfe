-- Candidate links between identities that the build scored, and what became of them.
create table if not exists identity_matches (
    match_id       varchar primary key,   -- stable: derived from the two keys
    left_key       varchar not null,
    right_key      varchar not null,
    score          double not null,       -- log2 likelihood ratio: > 0 favours "same person"
    probability    double not null,
    evidence       varchar not null,
    decision       varchar not null       -- merged, suggested, kept apart (...), merged by override, split by override
);
