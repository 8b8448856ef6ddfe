"""`tiekeeper why NAME`: what a tie's strength is made of, why it is (or is not) listed to follow up,
and what changed in the last 4 weeks, in plain words, from the public views and the fits they use."""
from __future__ import annotations

import duckdb

# The models' inputs by what they are about. Inputs about one thing move together (contact days and
# interactions in the same weeks), so their coefficients mean little one by one; summed per group
# they say what drives a score. Each group's phrase reads the raw values (tie_features) of the row.
_GROUPS = {
    "the last weeks": (("interactions_30", "contact_days_30", "direct_days_30", "decayed_30"),
                       lambda f: f"in touch on {f['contact_days_30']:.0f} of the last 30 days "
                                 f"({f['direct_days_30']:.0f} directly)"),
    "the last months": (("contact_days_90", "direct_days_90", "decayed_90"),
                        lambda f: f"in touch on {f['contact_days_90']:.0f} of the last 90 days "
                                  f"({f['direct_days_90']:.0f} directly)"),
    "the past year": (("interactions_365", "contact_days_365", "direct_days_365", "decayed_365", "published_score",
                       "group_only_days_365"),
                      lambda f: f"in touch on {f['contact_days_365']:.0f} days in the past year "
                                f"({f['direct_days_365']:.0f} directly, "
                                f"{f['group_only_days_365']:.0f} only in groups)"),
    "how you meet and write": (("meeting_days_365", "one_on_one_days_365", "linkedin_days_365", "channels"),
                               lambda f: f"met on {f['meeting_days_365']:.0f} days ({f['one_on_one_days_365']:.0f} "
                                         f"one-to-one), LinkedIn on {f['linkedin_days_365']:.0f}, "
                                         f"{f['channels']:.0f} channel{'s' * (f['channels'] != 1)}"),
    "who writes": (("messages_out_365", "messages_in_365", "reciprocity"),
                   lambda f: f"{f['messages_out_365']:.0f} direct messages from you and "
                             f"{f['messages_in_365']:.0f} from them in the past year"),
    "time since the last contact": (("days_since_contact", "days_since_direct", "overdue", "usual_gap"),
                                    lambda f: f"last contact {days(f['days_since_contact'])} ago"
                                              + (f", usually every {days(f['median_gap_days'])}"
                                                 if f["median_gap_days"] is not None else "")),
    "how long you have known them": (("days_known",),
                                     lambda f: f"known for {days(f['days_known'])}"
                                               + (" or more" if f["days_known"] >= 730 else "")),
}


def explain(con: duckdb.DuckDBPyConnection, person_id: str, *, top: int = 8) -> list[str]:
    """Lines explaining one person's strength and follow-up as of `as_of()`."""
    row = con.execute("""
        select p.full_name, s.strength, s.tier, s.trend, s.direction, s.method, s.expected_contact_days,
               s.reciprocity, s.messages_out, s.messages_in, s.channels, s.decayed_sum,
               c.usual_gap_days, c.days_since_contact, c.overdue_ratio, c.lapse_risk, c.reason, c.method,
               f.person_id is not null as listed, metric('half_life_days'), metric('trend_days'), as_of()
        from people as p
        left join relationship_strength as s using (person_id)
        left join cadence as c using (person_id)
        left join follow_ups as f using (person_id)
        where p.person_id = ?""", [person_id]).fetchall()
    (name, strength, tier, trend, direction, method, expected, rho, sent, received, channels, decayed, usual, since,
     ratio, risk, reason, lapse_method, listed, half_life, trend_days, as_of) = row[0]
    lines = [f"{name}  ({person_id}), as of {as_of:%Y-%m-%d %H:%M}"]
    if strength is None:
        return lines + ["  No interactions yet: no score."]
    lines.append(f"  strength {strength:.0f} of 100: about {_count(expected)} of direct contact expected in the "
                 f"next 90 days; tier {tier}, {trend:+.0f} over {trend_days:.0f} days"
                 + (f", {direction}" if direction else ""))
    features = _features(con, person_id)
    if method == "learned":
        lines.append("  Learned from your own history: what sets it, against your typical tie")
        lines += _drivers(con, "strength", person_id, features)
    else:
        lines.append(f"  Published formula (too little history to learn from): decayed sum {decayed:.1f} "
                     f"(half-life {half_life:.0f} days), reciprocity {rho:.2f} ({sent} direct messages sent, "
                     f"{received} received in the last year), {channels} channel{'s' * (channels != 1)}")

    lines.append("")
    if usual is not None:
        lines.append(f"  Usually every {days(usual)}; last contact {days(since)} ago"
                     + (f" ({ratio:.1f}x the usual gap since the last direct contact)" if ratio is not None else ""))
    if lapse_method == "learned" and risk is not None:
        lines.append(f"  Chance of no contact at all in the next 60 days: {risk:.0%}"
                     + (f": listed to follow up ({reason})" if listed else ""))
        if listed or risk >= 0.3:
            lines += _drivers(con, "lapse", person_id, features, raises="raises the risk", lowers="lowers it")
    elif listed:
        lines.append(f"  Listed to follow up ({reason}): silent for {ratio:.1f}x the usual gap")
    if since is not None and since < 7:
        lines.append("  In touch this week: not a follow-up.")

    lines += _awaiting(con, person_id)
    lines.append("\n  What holds the score up now (share of the weighted, decayed interactions):")
    for when, what, channel, share in con.execute("""
            with events as (
                select occurred_at, weight_reason, channel,
                       weight * pow(2, -date_diff('second', occurred_at, as_of()) / 86400.0 / metric('half_life_days'))
                           as contribution
                from interactions where person_id = ? and counts_toward_score and weight > 0
            )
            select occurred_at, weight_reason, channel, contribution / sum(contribution) over () as share
            from events order by contribution desc limit ?""", [person_id, top]).fetchall():
        lines.append(f"    {share:6.1%}  {when:%Y-%m-%d}  {what} ({channel.replace('_', ' ')})")

    new = con.execute("""
        select count(*), coalesce(string_agg(distinct weight_reason, ', '), '')
        from interactions
        where person_id = ? and counts_toward_score and weight > 0
          and occurred_at >= days_after(as_of(), -metric('trend_days'))""", [person_id]).fetchall()[0]
    lines.append(f"\n  In the last {trend_days:.0f} days:")
    lines.append(f"    strength {strength - trend:.0f} -> {strength:.0f}; {new[0]} new interaction{'s' * (new[0] != 1)}"
                 + (f": {new[1]}" if new[0] else ""))

    history = con.execute("""select strftime(week, '%G-W%V'), strength from strength_history
                             where person_id = ? order by week desc limit 8""", [person_id]).fetchall()
    if history:
        lines.append("\n  Weekly strength: " + "  ".join(f"{week} {value:.0f}" for week, value in reversed(history)))
    return lines


def _features(con, person_id: str) -> dict:
    cursor = con.execute("select * from int_tie_features_now where cut_at = as_of() and person_id = ?", [person_id])
    names = [d[0] for d in cursor.description]
    found = cursor.fetchall()
    return dict(zip(names, found[0])) if found else {}


def _drivers(con, model: str, person_id: str, features: dict, *, raises: str = "holds it up",
             lowers: str = "pulls it down", shown: int = 2) -> list[str]:
    """What moves this person's score most away from the owner's average tie, in words: each input's
    coefficient times how far the person is from the average (standardised), summed per group."""
    effects = dict(con.execute("""
        with inputs as (
            select * from tie_inputs(features := 'int_tie_features_now') where cut_at = as_of() and person_id = ?
        ),

        long as (
            unpivot (select columns('^x_') from inputs) on columns('^x_') into name feature value x
        )

        select substr(l.feature, 3), (l.x - c.mean) / c.scale * c.coefficient
        from long as l
        join model_coefficients as c on c.feature = l.feature
        join current_fits() as f on f.model = c.model and f.fitted_as_of = c.fitted_as_of
        where c.model = ? and f.method = 'learned'""", [person_id, model]).fetchall())
    if not effects or not features:
        return []
    grouped = sorted(((sum(effects.get(name, 0.0) for name in names), label, phrase)
                      for label, (names, phrase) in _GROUPS.items()), key=lambda g: -abs(g[0]))
    lines = []
    for label, chosen in ((raises, [g for g in grouped if g[0] > 0.1][:shown]),
                          (lowers, [g for g in grouped if g[0] < -0.1][:shown])):
        if chosen:
            lines.append(f"    {label}: " + "; ".join(f"{group} ({phrase(features)})" for _, group, phrase in chosen))
    return lines


def _awaiting(con, person_id: str) -> list[str]:
    rows = con.execute("""select waiting_on, subject, days_waiting, answer_probability from awaiting_reply
                          where person_id = ? order by since""", [person_id]).fetchall()
    lines = []
    for waiting_on, subject, waited, probability in rows:
        who = "on you" if waiting_on == "me" else "on them"
        chance = f"; you usually answer such messages ({probability:.0%})" if probability is not None else ""
        lines.append(f"  Waiting {who} for {waited} business day{'s' * (waited != 1)}: \"{subject or '(no subject)'}\""
                     f"{chance}")
    return lines


def days(value: float) -> str:
    """A number of days as people say it: '9 weeks', '3 days'."""
    if value >= 14:
        return f"{round(value / 7)} weeks"
    return f"{round(value)} day{'s' * (round(value) != 1)}"


def _count(value: float) -> str:
    """Expected days, as people say them: 'about 14 days', 'less than a day'."""
    if value < 1:
        return "less than a day"
    return f"{round(value)} day{'s' * (round(value) != 1)}"
