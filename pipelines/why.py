"""`tiekeeper why NAME`: what a person's score is made of, and what changed in the last 4 weeks."""
from __future__ import annotations

import duckdb


def explain(con: duckdb.DuckDBPyConnection, person_id: str, *, top: int = 8) -> list[str]:
    """Lines explaining one person's strength as of `as_of()`, from the public views only."""
    row = con.execute("""
        select p.full_name, s.strength, s.tier, s.trend, s.direction, s.reciprocity, s.messages_out,
               s.messages_in, s.channels, s.decayed_sum, c.usual_gap_days, c.days_since, c.overdue_ratio, c.reason,
               metric('half_life_days'), metric('trend_days'), as_of()
        from people as p
        left join relationship_strength as s using (person_id)
        left join cadence as c using (person_id)
        where p.person_id = ?""", [person_id]).fetchall()
    (name, strength, tier, trend, direction, rho, sent, received, channels, decayed, usual, since, ratio,
     reason, half_life, trend_days, as_of) = row[0]
    lines = [f"{name}  ({person_id}), as of {as_of:%Y-%m-%d %H:%M}"]
    if strength is None:
        return lines + ["  No interactions yet: no score."]
    lines.append(f"  strength {strength:.0f} of 100, tier {tier}, {trend:+.0f} over {trend_days:.0f} days"
                 + (f", {direction}" if direction else ""))
    lines.append(f"  reciprocity {rho:.2f} ({sent} direct messages sent, {received} received in the last year), "
                 f"{channels} channel{'s' * (channels != 1)}")
    if usual is not None:
        lines.append(f"  usually every {_days(usual)}, last real exchange {_days(since)} ago "
                     f"({ratio:.1f}x the usual gap)" + (f": {reason}" if reason else ""))

    lines.append("\n  What holds the score up now (share of the decayed sum):")
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

    then = con.execute("""select strength, decayed_sum from strength_at(as_of() - to_days(metric('trend_days')::integer))
                          where person_id = ?""", [person_id]).fetchall()
    new = con.execute("""
        select count(*), coalesce(sum(weight * pow(2, -date_diff('second', occurred_at, as_of()) / 86400.0
                                                   / metric('half_life_days'))), 0),
               coalesce(string_agg(distinct weight_reason, ', '), '')
        from interactions
        where person_id = ? and counts_toward_score and weight > 0
          and occurred_at >= as_of() - to_days(metric('trend_days')::integer)""", [person_id]).fetchall()[0]
    lines.append(f"\n  In the last {trend_days:.0f} days:")
    if then:
        old_strength, old_sum = then[0]
        faded = old_sum * (1 - 2 ** (-trend_days / half_life))
        lines.append(f"    strength {old_strength:.0f} -> {strength:.0f}; the decayed sum went {old_sum:.1f} -> "
                     f"{decayed:.1f}: older interactions faded by {faded:.1f}, new ones added {new[1]:.1f}")
    lines.append(f"    {new[0]} new interaction{'s' * (new[0] != 1)}" + (f": {new[2]}" if new[0] else ""))

    history = con.execute("""select strftime(week, '%G-W%V'), strength from strength_history
                             where person_id = ? order by week desc limit 8""", [person_id]).fetchall()
    if history:
        lines.append("\n  Weekly strength: " + "  ".join(f"{week} {value:.0f}" for week, value in reversed(history)))
    return lines


def _days(value: float) -> str:
    """A number of days as people say it: '9 weeks', '3 days'."""
    if value >= 14:
        return f"{round(value / 7)} weeks"
    return f"{round(value)} day{'s' * (round(value) != 1)}"
