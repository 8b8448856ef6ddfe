"""What tiekeeper learns from the owner's own history (docs/metrics.md "Learned from your own history").

People differ in how they mail, meet and answer, so fixed constants cannot fit every owner. Three
small models are fitted at every run, from what happened before the run's as-of moment:

- `strength`: Poisson regression of the days with direct contact in the next 90 days;
- `lapse`: logistic regression of "no contact at all in the next 60 days", for active ties (the
  follow-up list);
- `reply`: logistic regression of "the owner answers within 14 days", for direct messages that have
  waited on the owner for two business days (replies you owe).

Each learns from cuts spread over the history (features from before a cut, the outcome after it,
only cuts whose outcome was complete before the as-of moment), on the inputs the SQL macros
`tie_inputs` and `reply_candidates` compute, so that fitting and scoring read the same numbers.
The latest cuts are held out first: the learned model is kept only where it does better there than
the published method (docs/metrics.md's formula and rules), and a history too short to tell keeps the
published method. The fits are stored in `model_fits` / `model_coefficients`, where the views find
the latest one made before the moment they are evaluated at.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.derived import fingerprint, record, recorded
from pipelines.warehouse import memory_lent

log = logging.getLogger("tiekeeper.learning")

# Cuts fall on the owner's local midnights every `step_days` from this Monday, whatever the as-of
# moment, so the same cut means the same thing in every run.
GRID_EPOCH = dt.date(2000, 1, 3)
MIN_HISTORY_DAYS = 90  # a cut needs this much history before it to say anything


@dataclass(frozen=True)
class ModelSpec:
    name: str
    horizon_days: int  # the outcome is what happens in the days after a cut
    step_days: int  # one training cut every this many days ...
    max_cuts: int  # ... the latest this many
    min_rows: int  # fewer training rows than this: too little history to learn from
    min_positives: int  # ... or fewer than this of either outcome
    held_out_cuts: int  # the latest training cuts, held out to compare learned and published


STRENGTH = ModelSpec("strength", horizon_days=90, step_days=28, max_cuts=39, min_rows=300, min_positives=50,
                     held_out_cuts=3)
LAPSE = ModelSpec("lapse", horizon_days=60, step_days=28, max_cuts=39, min_rows=200, min_positives=30,
                  held_out_cuts=3)
REPLY = ModelSpec("reply", horizon_days=14, step_days=7, max_cuts=104, min_rows=150, min_positives=30,
                  held_out_cuts=12)
MODELS = (STRENGTH, LAPSE, REPLY)

@dataclass
class Fit:
    """One model as fitted as of a moment: learned (with its coefficients) or the published method."""

    model: str
    fitted_as_of: dt.datetime
    method: str  # "learned" or "published"
    reason: str  # why, in words
    training_cuts: int = 0
    training_rows: int = 0
    intercept: float | None = None
    threshold: float | None = None
    features: list[str] = field(default_factory=list)
    means: list[float] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)
    coefficients: list[float] = field(default_factory=list)
    validation_measure: str | None = None
    validation_learned: float | None = None
    validation_published: float | None = None

    def line(self) -> str:
        return f"{self.model}: {self.method} ({self.reason})"


@dataclass
class Panels:
    """Training data: tie rows (person x cut) and reply rows (candidate x cut), with outcomes."""

    ties: dict[str, np.ndarray]
    tie_inputs: list[str]
    replies: dict[str, np.ndarray]
    reply_inputs: list[str]


# --- cuts -----------------------------------------------------------------------------------------

def grid_cuts(start: dt.datetime, end: dt.datetime, step_days: int, tz: ZoneInfo) -> list[dt.datetime]:
    """The grid's cuts (local midnights, every `step_days` from GRID_EPOCH) in [start, end]."""
    first_day = start.astimezone(tz).date()
    offset = (first_day - GRID_EPOCH).days
    day = GRID_EPOCH + dt.timedelta(days=-(-offset // step_days) * step_days)
    cuts = []
    while True:
        cut = dt.datetime.combine(day, dt.time(), tz)
        if cut > end:
            return cuts
        if cut >= start:
            cuts.append(cut.astimezone(dt.timezone.utc))
        day += dt.timedelta(days=step_days)


def training_cuts(spec: ModelSpec, first_contact: dt.datetime, as_of: dt.datetime, tz: ZoneInfo) -> list[dt.datetime]:
    """The cuts a fit as of `as_of` learns from: enough history before each, the whole outcome
    window before `as_of`, the latest `max_cuts`."""
    cuts = grid_cuts(first_contact + dt.timedelta(days=MIN_HISTORY_DAYS),
                     as_of - dt.timedelta(days=spec.horizon_days), spec.step_days, tz)
    return cuts[-spec.max_cuts:]


# --- training data ----------------------------------------------------------------------------------

def first_exchange(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """When the history to learn from starts: the first message or meeting (a LinkedIn connection
    made years before is no history), None without any."""
    return con.execute("select min(occurred_at) from int_interactions "
                       "where weight > 0 and channel <> 'linkedin_connection'").fetchall()[0][0]


# The panels are kept between runs (tables learning_panel_ties, learning_panel_replies): the rows at
# a cut depend only on the events up to the end of its outcome window, so a run builds the cuts that
# are new or whose window changed (an older export loaded, people resolved again, other settings)
# and reads the others back. Windows end on the owner's local days: a margin covers any time zone.
WINDOW_MARGIN_DAYS = 2

TIE_PANEL = """
    select i.*, coalesce(o.contacted_next_60, false) as contacted_next_60,
           coalesce(o.direct_days_next_90, 0) as direct_days_next_90
    from tie_inputs(features := 'panel_features') as i
    left join tie_outcomes($cuts::timestamptz[]) as o using (person_id, cut_at)"""
REPLY_PANEL = "select * from reply_candidates($cuts::timestamptz[], messages := 'int_reply_messages')"
# A message's columns that say when something came after it (the thread's next message, the owner's
# next word in the thread or to the sender). A reply panel reads them only up to its window's end, so
# the fingerprint counts each at its own moment: the owner answering today an old message changes
# the message's row, and only the cuts whose window reaches today are built again.
REPLY_LATER = ("next_at", "owner_next_in_thread_at", "owner_next_to_sender_at")


def build_panels(con: duckdb.DuckDBPyConnection, tie_cuts: list[dt.datetime],
                 reply_cuts: list[dt.datetime]) -> Panels:
    """The tie and reply panels at these cuts, built where not kept from an earlier run."""
    keep_panels(con, tie_cuts, reply_cuts)
    return read_panels(con, tie_cuts, reply_cuts)


def keep_panels(con: duckdb.DuckDBPyConnection, tie_cuts: list[dt.datetime], reply_cuts: list[dt.datetime]) -> None:
    """Builds the panels' rows at the cuts that are new or whose data changed (`keep_rows`)."""
    def tie_rows(cuts):
        con.execute("create or replace temp table panel_features as select * from "
                    "tie_features($cuts::timestamptz[])", {"cuts": cuts})
        return TIE_PANEL

    keep_rows(con, "learning_panel_ties", tie_cuts, "int_interactions", "occurred_at",
              max(STRENGTH.horizon_days, LAPSE.horizon_days), tie_rows, cuts_per_query=tie_cuts_per_query(con))
    keep_rows(con, "learning_panel_replies", reply_cuts, "int_reply_messages", "sent_at", REPLY.horizon_days,
              lambda cuts: REPLY_PANEL, later=REPLY_LATER)
    con.execute("drop table if exists panel_features")


def read_panels(con: duckdb.DuckDBPyConnection, tie_cuts: list[dt.datetime],
                reply_cuts: list[dt.datetime]) -> Panels:
    """The kept panels' rows at these cuts, as the fits read them."""
    ties = _read_panel(con, "learning_panel_ties", tie_cuts, TIE_COLUMNS, "cut_at, person_id")
    replies = _read_panel(con, "learning_panel_replies", reply_cuts, REPLY_COLUMNS, "cut_at, channel, message_ref")
    return Panels(ties, _inputs(ties), replies, _inputs(replies))


# What the fits read of a panel besides the model inputs (x_...): the panel tables hold twice as
# many columns, which Python need not hold.
TIE_COLUMNS = ("cut_at", "published_score", "contact_days_180", "contact_days_365", "active_days_180",
               "days_since_contact", "days_since_direct", "median_gap_days", "contacted_next_60",
               "direct_days_next_90")
REPLY_COLUMNS = ("cut_at", "answered_next_14")


def _read_panel(con: duckdb.DuckDBPyConnection, table: str, cuts: list[dt.datetime], columns: tuple[str, ...],
                order: str) -> dict[str, np.ndarray]:
    """`columns` and the model inputs of `table`'s rows at `cuts`."""
    rows = con.execute(f"select {', '.join(columns)}, columns('^x_') from {table} "
                       f"where cut_at = any($cuts::timestamptz[]) order by {order}", {"cuts": cuts})
    return _plain(rows.fetchnumpy())


# What fitting takes in Python beside DuckDB (the panels' columns in numpy, the fits' arrays), which
# the metrics and the backtest leave out of DuckDB's share of the run budget: 60 MiB measured on the
# 200,000-message world.
FITTING_MEMORY = 64 * 1024 * 1024

# Rows (person x cut) of tie_features built by one query: its ordered sums and medians hold every
# row's days in memory at once and cannot spill to disk. 40 cuts of the 200,000-message world's
# 5,300 people took 700 MB and ran out of memory at 550 MiB; eight at a time fit, for a fifth more time.
TIE_ROWS_PER_QUERY = 45_000


def tie_cuts_per_query(con: duckdb.DuckDBPyConnection) -> int:
    """How many cuts of tie_features one query builds: about TIE_ROWS_PER_QUERY rows."""
    people = con.execute("select count(distinct person_id) from int_interactions where weight > 0").fetchall()[0][0]
    return max(1, TIE_ROWS_PER_QUERY // max(people, 1))


def keep_rows(con: duckdb.DuckDBPyConnection, table: str, cuts: list[dt.datetime], events: str,
              time_column: str, horizon_days: int, rows_sql, *, prune: bool = False,
              cuts_per_query: int | None = None, later: tuple[str, ...] = ()) -> list[dt.datetime]:
    """Keeps in `table` the rows at `cuts` of a query that reads only the `events` up to
    `horizon_days` after each cut (and their `later` moments only up to there): (re)builds the cuts
    whose fingerprint (of those events, the settings and the time zone) is not the one kept; with
    `prune`, drops the cuts not asked for.
    `rows_sql(cuts)` prepares and returns the query of the rows at those cuts (with `$cuts`), which
    is run for `cuts_per_query` cuts at a time (None: all at once). Returns the cuts it built."""
    prints = _fingerprints(con, cuts, events, time_column, horizon_days, later)
    con.register("cut_prints", pa.table({"cut_at": pa.array(cuts, pa.timestamp("us", tz="UTC")),
                                         "fingerprint": pa.array([prints[c] for c in cuts], pa.string())}))
    try:
        fresh = "select p.fingerprint, q.* from ({sql}) as q join cut_prints as p using (cut_at)"
        probe = con.execute(fresh.format(sql=rows_sql([])) + " limit 0", {"cuts": []})
        columns = [d[0] for d in probe.description]
        probe.fetchall()  # DuckDB 2.0: a connection takes no other work while a result is unfinished
        kept = _columns(con, table)
        if kept and kept != columns:  # built by another version: build again
            con.execute(f"drop table {table}")
            kept = []
        if not kept:
            con.execute(f"create table {table} as " + fresh.format(sql=rows_sql([])) + " limit 0", {"cuts": []})
        have = set(con.execute(f"select distinct cut_at, fingerprint from {table}").fetchall())
        stale = [c for c in cuts if (c, prints[c]) not in have]
        if prune:
            con.execute(f"delete from {table} where not cut_at = any($cuts::timestamptz[])", {"cuts": cuts})
        if stale:
            con.execute(f"delete from {table} where cut_at = any($cuts::timestamptz[])", {"cuts": stale})
        step = cuts_per_query or max(len(stale), 1)
        for start in range(0, len(stale), step):  # a cut's rows do not depend on the other cuts
            chunk = stale[start:start + step]
            con.execute(f"insert into {table} " + fresh.format(sql=rows_sql(chunk)), {"cuts": chunk})
        return stale
    finally:
        con.unregister("cut_prints")


def _fingerprints(con: duckdb.DuckDBPyConnection, cuts: list[dt.datetime], events: str, time_column: str,
                  horizon_days: int, later: tuple[str, ...] = ()) -> dict[dt.datetime, str]:
    """Per cut, a fingerprint of every `events` row up to the end of its outcome window (a running
    count and sum of hashes), with the metric settings and the owner's time zone. A row's `later`
    columns (moments after its own) count apart, each at its moment: a value past the window's end
    is not part of that window."""
    if not cuts:
        return {}
    settings = con.execute("select coalesce(string_agg(key || '=' || value::varchar, ',' order by key), '') "
                           "|| owner_tz() from metric_settings").fetchall()[0][0]
    row = "e"
    if later:
        row = ", ".join(f'e."{name}"' for name in _columns(con, events) if name not in later)
    moments = f"select {time_column} as t, hash({row}) as h from {events} as e"
    for name in later:
        moments += (f" union all select {name}, hash({row}, '{name}', {name}) from {events} as e"
                    f" where {name} is not null")
    rows = con.execute(f"""
        with per_moment as (
            select t, count(*) as n, sum(h) as h from ({moments}) group by all
        ),
        running as (
            select t, sum(n) over (order by t) as n, sum(h) over (order by t) as h from per_moment
        )
        select c.cut_at, coalesce(r.n, 0), coalesce(r.h, 0)
        from (select cut_at, cut_at + to_days($days) as window_end
              from unnest($cuts::timestamptz[]) as u(cut_at)) as c
        asof left join running as r on c.window_end > r.t""",
        {"cuts": cuts, "days": horizon_days + WINDOW_MARGIN_DAYS}).fetchall()
    found = {cut: f"{n}:{h}:{settings}" for cut, n, h in rows}
    return {cut: found[cut] for cut in cuts}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_name = ? and table_schema = 'main' "
        "order by ordinal_position", [table]).fetchall()]


def _inputs(columns) -> list[str]:
    """The model inputs among a relation's columns: the SQL names them x_..."""
    return [name for name in columns if name.startswith("x_")]


def _plain(columns: dict) -> dict[str, np.ndarray]:
    """fetchnumpy's columns as plain arrays: SQL nulls as NaN (numbers) or None, cuts as epoch seconds."""
    out = {}
    for name in list(columns):
        values = columns.pop(name)  # (each fetched column let go as soon as its copy is made)
        if isinstance(values, np.ma.MaskedArray):
            values = values.astype(float).filled(np.nan) if values.dtype.kind in "biuf" else values.filled(None)
        values = np.asarray(values)
        if name == "cut_at":
            values = values.astype("datetime64[s]").astype(np.int64)
        out[name] = values
    return out


# --- fitting ----------------------------------------------------------------------------------------

def fit_models(panels: Panels, first_contact: dt.datetime | None, as_of: dt.datetime, tz: ZoneInfo,
               settings: dict[str, float], models: tuple[ModelSpec, ...] = MODELS) -> list[Fit]:
    """The fits as of `as_of`, each from the panel rows whose outcome was complete by then."""
    fits = []
    for spec in models:
        cuts = [] if first_contact is None else training_cuts(spec, first_contact, as_of, tz)
        if not settings.get("learn", 1):
            fits.append(Fit(spec.name, as_of, "published", "learning is switched off ([metrics] learn = 0)"))
            continue
        fitter = {"strength": _fit_strength, "lapse": _fit_lapse, "reply": _fit_reply}[spec.name]
        fits.append(fitter(spec, panels, cuts, as_of, settings))
    return fits


def _rows(panel: dict[str, np.ndarray], cuts: list[dt.datetime], keep: np.ndarray | None = None) -> np.ndarray:
    """Indices of the panel rows at these cuts (and where `keep`)."""
    wanted = np.isin(panel["cut_at"], [int(c.timestamp()) for c in cuts])
    if keep is not None:
        wanted &= keep
    return np.flatnonzero(wanted)


def _too_little(spec: ModelSpec, cuts: list, y: np.ndarray, positive_label: str) -> str | None:
    if len(cuts) < spec.held_out_cuts + 2:
        return (f"too little history: {len(cuts)} cuts of {spec.step_days} days "
                f"with a full {spec.horizon_days}-day outcome")
    if len(y) < spec.min_rows:
        return f"too little history: {len(y)} examples"
    positives = int((y > 0).sum())
    if min(positives, len(y) - positives) < spec.min_positives:
        return f"too little history: {positives} {positive_label} in {len(y)} examples"
    return None


def _split(spec: ModelSpec, cuts: list[dt.datetime]) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """Held-out cuts (the latest), and the cuts a model validated on them may learn from (those
    whose outcome was complete before the first held-out cut)."""
    held_out = cuts[-spec.held_out_cuts:]
    train = [c for c in cuts if c + dt.timedelta(days=spec.horizon_days) <= held_out[0]]
    return train, held_out


def _too_little_to_validate(spec: ModelSpec, y_train: np.ndarray, y_held_out: np.ndarray) -> str | None:
    """Why the held-out comparison cannot be made (too few examples, or only one outcome), if so."""
    for y in (y_train, y_held_out):
        positives = int((y > 0).sum())
        if len(y) < spec.min_rows // 4 or min(positives, len(y) - positives) < spec.min_positives // 4:
            return f"too little history to compare with the published method ({len(y_train)} earlier examples)"
    return None


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return (x - mean) / scale, mean, scale


# How each tie input moves with a stronger tie: +1 more of it, -1 less of it, 0 either way. The
# strength model keeps these signs and the lapse model their opposites, so that every coefficient
# reads as common sense ("more direct contact lately holds the score up") and `why` can say it.
TIE_SIGNS = {"x_days_since_contact": -1, "x_days_since_direct": -1, "x_overdue": -1, "x_usual_gap": -1,
             "x_days_known": 0, "x_group_only_days_365": 0}
ALPHA = 1e-3  # L2 penalty on the standardised coefficients


def _regression(kind: str, x: np.ndarray, y: np.ndarray, signs: np.ndarray | None = None):
    """A generalised linear model (Poisson with log link, or logistic) on standardised inputs,
    fitted by penalised maximum likelihood (scipy's L-BFGS-B), each coefficient kept to its sign in
    `signs` (+1, -1, 0 for free). Returns (intercept, coefficients, means, scales)."""
    from scipy.optimize import minimize
    from scipy.special import expit
    from threadpoolctl import threadpool_limits
    z, mean, scale = _standardise(x)
    n, k = z.shape
    y = y.astype(float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        eta = w[0] + z @ w[1:]
        if kind == "poisson":
            eta = np.minimum(eta, 30.0)
            mu = np.exp(eta)
            value, residual = np.mean(mu - y * eta), mu - y
        else:
            value, residual = np.mean(np.logaddexp(0.0, eta) - y * eta), expit(eta) - y
        penalty = w[1:]
        return (value + ALPHA / 2 * penalty @ penalty,
                np.concatenate([[residual.mean()], z.T @ residual / n + ALPHA * penalty]))

    signs = np.zeros(k) if signs is None else signs
    bounds = [(None, None)] + [(0, None) if sign > 0 else (None, 0) if sign < 0 else (None, None) for sign in signs]
    rate = min(max(y.mean(), 1e-6), 1 - 1e-6) if kind == "logistic" else max(y.mean(), 1e-6)
    start = np.zeros(k + 1)
    start[0] = math.log(rate) if kind == "poisson" else math.log(rate / (1 - rate))
    # Problems this small are fastest on one thread; more only fight DuckDB's for the cores.
    with threadpool_limits(1):
        fitted = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 1000})
    return float(fitted.x[0]), fitted.x[1:], mean, scale


def _predict(kind: str, params, x: np.ndarray) -> np.ndarray:
    intercept, coef, mean, scale = params
    linear = intercept + ((x - mean) / scale) @ coef
    return np.exp(np.minimum(linear, 30.0)) if kind == "poisson" else 1 / (1 + np.exp(-linear))


def _tie_signs(features: list[str], direction: int) -> np.ndarray:
    return np.array([direction * TIE_SIGNS.get(name, 1) for name in features], dtype=float)


def _learned(spec: ModelSpec, as_of, features, params, cuts, rows, reason, **extra) -> Fit:
    intercept, coef, mean, scale = params
    return Fit(spec.name, as_of, "learned", reason, len(cuts), rows, _digits(intercept), features=list(features),
               means=[_digits(v) for v in mean], scales=[_digits(v) for v in scale],
               coefficients=[_digits(v) for v in coef], **extra)


def _digits(value: float) -> float:
    """Seven significant digits: far finer than what the data can tell, and coarse enough that a fit
    from the same rows is the same fit although DuckDB sums them in no fixed order."""
    return float(f"{float(value):.7g}")


def _fit_strength(spec, panels, cuts, as_of, settings) -> Fit:
    """Learned on ties with contact in the last year: a tie silent for a year is dormant (strength 0
    when learned; what little the data says of its coming back is noise)."""
    ties = panels.ties
    x_all = np.column_stack([ties[f] for f in panels.tie_inputs])
    y_all = ties["direct_days_next_90"].astype(float)
    recent = ties["contact_days_365"] > 0
    rows = _rows(ties, cuts, recent)
    if reason := _too_little(spec, cuts, y_all[rows], "people with direct contact afterwards"):
        return Fit(spec.name, as_of, "published", reason, len(cuts), len(rows))
    train, held_out = _split(spec, cuts)
    if reason := _too_little_to_validate(spec, y_all[_rows(ties, train, recent)], y_all[_rows(ties, held_out)]):
        return Fit(spec.name, as_of, "published", reason, len(cuts), len(rows))
    signs = _tie_signs(panels.tie_inputs, +1)
    params = _regression("poisson", x_all[_rows(ties, train, recent)], y_all[_rows(ties, train, recent)], signs)
    learned, published = [], []
    for cut in held_out:  # judged on everybody known, the dormant at 0
        r = _rows(ties, [cut])
        learned.append(_spearman(np.where(recent[r], _predict("poisson", params, x_all[r]), 0.0), y_all[r]))
        published.append(_spearman(ties["published_score"][r], y_all[r]))
    pairs = [(a, b) for a, b in zip(learned, published) if not (math.isnan(a) or math.isnan(b))]
    score = sum(a for a, _ in pairs) / len(pairs) if pairs else float("nan")
    baseline = sum(b for _, b in pairs) / len(pairs) if pairs else float("nan")
    measure = "Spearman with direct-contact days in the next 90 days"
    if not score > baseline:  # (false as well when the held-out cuts could not tell)
        return Fit(spec.name, as_of, "published", f"the published formula predicted as well on the latest cuts "
                   f"(Spearman {baseline:.2f} vs {score:.2f} learned)", len(cuts), len(rows),
                   validation_measure=measure, validation_learned=score, validation_published=baseline)
    params = _regression("poisson", x_all[rows], y_all[rows], signs)
    return _learned(spec, as_of, panels.tie_inputs, params, cuts, len(rows),
                    f"learned from {len(cuts)} cuts: Spearman {score:.2f} vs {baseline:.2f} published on the latest",
                    validation_measure=measure, validation_learned=score, validation_published=baseline)


def _fit_lapse(spec, panels, cuts, as_of, settings) -> Fit:
    ties = panels.ties
    population = (ties["active_days_180"] >= 2) & (ties["days_since_contact"] >= 7)
    x_all = np.column_stack([ties[f] for f in panels.tie_inputs])
    y_all = ~ties["contacted_next_60"].astype(bool)
    weight = ties["contact_days_180"].astype(float)
    rows = _rows(ties, cuts, population)
    if reason := _too_little(spec, cuts, y_all[rows], "lapsed ties"):
        return Fit(spec.name, as_of, "published", reason, len(cuts), len(rows), threshold=0.5)
    train, held_out = _split(spec, cuts)
    t, r = _rows(ties, train, population), _rows(ties, held_out, population)
    if reason := _too_little_to_validate(spec, y_all[t], y_all[r]):
        return Fit(spec.name, as_of, "published", reason, len(cuts), len(rows), threshold=0.5)
    signs = _tie_signs(panels.tie_inputs, -1)
    params = _regression("logistic", x_all[t], y_all[t], signs)
    published_score = ties["days_since_direct"][r] / np.maximum(np.nan_to_num(ties["median_gap_days"][r], nan=365.0), 3)
    score = _average_precision(_predict("logistic", params, x_all[r]), y_all[r], weight[r])
    baseline = _average_precision(published_score, y_all[r], weight[r])
    measure = "weighted average precision for ties that lapse in 60 days"
    if not score > baseline:
        return Fit(spec.name, as_of, "published", f"the published rule ranked lapses as well on the latest cuts "
                   f"({baseline:.2f} vs {score:.2f} learned)", len(cuts), len(rows), threshold=0.5,
                   validation_measure=measure, validation_learned=score, validation_published=baseline)
    params = _regression("logistic", x_all[rows], y_all[rows], signs)
    return _learned(spec, as_of, panels.tie_inputs, params, cuts, len(rows),
                    f"learned from {len(cuts)} cuts: {score:.2f} vs {baseline:.2f} published on the latest",
                    threshold=0.5, validation_measure=measure, validation_learned=score,
                    validation_published=baseline)


def _fit_reply(spec, panels, cuts, as_of, settings) -> Fit:
    replies = panels.replies
    x_all = np.column_stack([replies[f].astype(float) for f in panels.reply_inputs]) if len(replies["cut_at"]) \
        else np.zeros((0, len(panels.reply_inputs)))
    y_all = replies["answered_next_14"].astype(bool)
    rows = _rows(replies, cuts)
    if reason := _too_little(spec, cuts, y_all[rows], "answered messages"):
        return Fit(spec.name, as_of, "published", reason, len(cuts), len(rows))
    train, held_out = _split(spec, cuts)
    train_rows, held_rows = _rows(replies, train), _rows(replies, held_out)
    if reason := _too_little_to_validate(spec, y_all[train_rows], y_all[held_rows]):
        return Fit(spec.name, as_of, "published", reason, len(cuts), len(rows))
    params = _regression("logistic", x_all[train_rows], y_all[train_rows])
    p = _predict("logistic", params, x_all[held_rows])
    goal = settings.get("reply_precision_goal", 0.8)
    threshold, precision, recall = _threshold(p, y_all[held_rows], goal)
    # the published rule lists every message waiting long enough: its precision is the share answered
    published = float(y_all[held_rows].mean())
    measure = f"precision on the latest cuts (learned at probability {threshold:.2f}, recall {recall:.2f})"
    params = _regression("logistic", x_all[rows], y_all[rows])
    return _learned(spec, as_of, panels.reply_inputs, params, cuts, len(rows),
                    f"learned from {len(cuts)} cuts: precision {precision:.2f} (published {published:.2f}), "
                    f"recall {recall:.2f} on the latest", threshold=threshold, validation_measure=measure,
                    validation_learned=precision, validation_published=published)


# A precision goal counts as met only on this many right flags: one lucky flag is not a track record,
# and a threshold that lists almost nothing leaves the owner without the list.
MIN_RIGHT_FLAGS = 5


def _threshold(p: np.ndarray, y: np.ndarray, goal: float) -> tuple[float, float, float]:
    """The lowest probability from 0.5 up whose flags were right at least `goal` of the time on the
    held-out cuts (on at least MIN_RIGHT_FLAGS right flags); if none is, the one with the best F0.5
    (precision counting twice)."""
    best = (0.5, *_precision_recall(p >= 0.5, y))
    best_f = -1.0
    for threshold in np.arange(0.5, 0.96, 0.01):
        precision, recall = _precision_recall(p >= threshold, y)
        if precision >= goal and (p >= threshold)[y].sum() >= MIN_RIGHT_FLAGS:
            return float(round(threshold, 2)), precision, recall
        if (f := _f_half(precision, recall)) > best_f:
            best_f, best = f, (float(round(threshold, 2)), precision, recall)
    return best


def _f_half(precision: float, recall: float) -> float:
    return 1.25 * precision * recall / (0.25 * precision + recall) if precision + recall else 0.0


def _precision_recall(flagged: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    hits = float((flagged & y).sum())
    return (hits / flagged.sum() if flagged.sum() else 0.0), (hits / y.sum() if y.sum() else 0.0)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr
    if len(a) < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return float("nan")
    return float(spearmanr(a, b).statistic)


def _average_precision(score: np.ndarray, y: np.ndarray, weight: np.ndarray) -> float:
    """Weighted average precision of ranking by `score` for `y` (ties broken against us)."""
    if y.sum() == 0 or y.sum() == len(y):
        return float("nan")
    order = np.lexsort((y, -score))  # highest score first; among equal scores, negatives first
    hits = np.cumsum(weight[order] * y[order])
    listed = np.cumsum(weight[order])
    return float(np.sum((hits / listed) * weight[order] * y[order]) / np.sum(weight * y))


# --- storing ----------------------------------------------------------------------------------------

def store_fits(con: duckdb.DuckDBPyConnection, fits: list[Fit]) -> None:
    """Writes the fits (replacing any made as of the same moment), in the caller's transaction."""
    for fit in fits:
        con.execute("delete from model_fits where model = ? and fitted_as_of = ?", [fit.model, fit.fitted_as_of])
        con.execute("delete from model_coefficients where model = ? and fitted_as_of = ?",
                    [fit.model, fit.fitted_as_of])
    con.register("fits_arrow", pa.table({
        "model": [f.model for f in fits],
        "fitted_as_of": pa.array([f.fitted_as_of for f in fits], pa.timestamp("us", tz="UTC")),
        "method": [f.method for f in fits],
        "reason": [f.reason for f in fits],
        "intercept": pa.array([f.intercept for f in fits], pa.float64()),
        "threshold": pa.array([f.threshold for f in fits], pa.float64()),
        "training_cuts": [f.training_cuts for f in fits],
        "training_rows": [f.training_rows for f in fits],
        "validation_measure": pa.array([f.validation_measure for f in fits], pa.string()),
        "validation_learned": pa.array([_digits_or_none(f.validation_learned) for f in fits], pa.float64()),
        "validation_published": pa.array([_digits_or_none(f.validation_published) for f in fits], pa.float64()),
    }))
    learned = [(f, i) for f in fits for i in range(len(f.features))]
    con.register("coefficients_arrow", pa.table({
        "model": [f.model for f, _ in learned],
        "fitted_as_of": pa.array([f.fitted_as_of for f, _ in learned], pa.timestamp("us", tz="UTC")),
        "feature": pa.array([f.features[i] for f, i in learned], pa.string()),
        "mean": pa.array([f.means[i] for f, i in learned], pa.float64()),
        "scale": pa.array([f.scales[i] for f, i in learned], pa.float64()),
        "coefficient": pa.array([f.coefficients[i] for f, i in learned], pa.float64()),
    }))
    try:
        con.execute("insert into model_fits by name select * from fits_arrow")
        con.execute("insert into model_coefficients by name select * from coefficients_arrow")
    finally:
        con.unregister("fits_arrow")
        con.unregister("coefficients_arrow")


def _digits_or_none(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else _digits(value)


def learn(con: duckdb.DuckDBPyConnection, settings: dict[str, float], as_of: dt.datetime, tz: ZoneInfo) -> list[Fit]:
    """Fits every model as of `as_of` from the history before it and stores the fits. A model whose
    training rows are those of its last fit (the same cuts with the same fingerprints, settings and
    code: most weeks for the tie models, which gain a cut every 28 days) is that fit again, made as
    of `as_of`, without reading its rows."""
    first = first_exchange(con)
    cuts = {spec: [] if first is None else training_cuts(spec, first, as_of, tz) for spec in MODELS}
    tie_cuts = sorted(set(cuts[STRENGTH]) | set(cuts[LAPSE]))
    keep_panels(con, tie_cuts, cuts[REPLY])
    inputs = {spec: _fit_inputs(con, spec, cuts[spec], settings) for spec in MODELS}
    fits = {spec: Fit(**kept | {"fitted_as_of": as_of}) for spec in MODELS
            if (kept := recorded(con, f"fit {spec.name}", inputs[spec])) is not None}
    if todo := tuple(spec for spec in MODELS if spec not in fits):
        needs_ties = STRENGTH in todo or LAPSE in todo
        panels = read_panels(con, tie_cuts if needs_ties else [], cuts[REPLY] if REPLY in todo else [])
        with memory_lent(con):
            fitted = fit_models(panels, first, as_of, tz, settings, todo)
        for spec, fit in zip(todo, fitted):
            fits[spec] = fit
            record(con, f"fit {spec.name}", inputs[spec], _kept_form(fit))
    store_fits(con, [fits[spec] for spec in MODELS])
    for spec in MODELS:
        log.debug("%s", fits[spec].line())
    return [fits[spec] for spec in MODELS]


def _kept_form(fit: Fit) -> dict:
    """A fit as `derived_builds` keeps it: JSON has no NaN, and the moment is that of the run that reads it."""
    return {name: None if isinstance(value, float) and math.isnan(value) else value
            for name, value in asdict(fit).items()} | {"fitted_as_of": None}


def _fit_inputs(con: duckdb.DuckDBPyConnection, spec: ModelSpec, cuts: list[dt.datetime],
                settings: dict[str, float]) -> str:
    """A fingerprint of what a fit of `spec` learns from: its cuts, the fingerprint of each cut's
    kept rows (a cut without rows has none), the settings and tiekeeper's code."""
    table = "learning_panel_replies" if spec is REPLY else "learning_panel_ties"
    kept = con.execute(f"select cut_at::varchar, any_value(fingerprint) from {table} "
                       "where cut_at = any($cuts::timestamptz[]) group by cut_at order by cut_at",
                       {"cuts": cuts}).fetchall()
    return fingerprint(spec.name, [c.isoformat() for c in cuts], kept, settings)
