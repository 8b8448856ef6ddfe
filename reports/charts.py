"""The weekly report's charts as PNG bytes: drawn with matplotlib's object API on the Agg canvas
(no pyplot, so no global state), at twice the display size for sharp images on high-density screens."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SCALE = 2  # image pixels per display pixel
INK, MUTED, ACCENT, BARS = "#1f2933", "#7b8794", "#2563eb", "#93c5fd"


@dataclass(frozen=True)
class Chart:
    """A PNG and the size (CSS pixels) and alternative text to show it with."""
    png: bytes
    width: int
    height: int
    alt: str


def growth_chart(weeks: Sequence[dt.date], new_connections: Sequence[int], active_people: Sequence[int],
                 *, width: int = 560, height: int = 200) -> Chart:
    """Weekly new LinkedIn connections (bars) and active people (line), one point per ISO week."""
    fig = _figure(width, height, layout="constrained")
    ax = fig.add_subplot()
    x = range(len(weeks))
    ax.bar(x, new_connections, color=BARS, width=0.7, label="new connections")
    ax.plot(x, active_people, color=ACCENT, linewidth=2, label="active people")
    ticks = list(x)[::4]
    ax.set_xticks(ticks, [weeks[i].strftime("%d %b") for i in ticks])
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=MUTED, labelsize=8)
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.legend(loc="outside upper left", fontsize=8, frameon=False, ncols=2, labelcolor=INK)
    alt = (f"Over {len(weeks)} weeks: {sum(new_connections)} new connections; "
           f"active people went from {active_people[0]} to {active_people[-1]}" if weeks else "No weeks yet")
    return Chart(_png(fig), width, height, alt)


def sparkline(values: Sequence[float], *, width: int = 96, height: int = 24) -> Chart:
    """A person's weekly strength (0-100) as a small line with its last point marked."""
    fig = _figure(width, height, background="none")  # transparent: it sits on light and dark pages alike
    ax = fig.add_axes((0.02, 0.1, 0.96, 0.8))
    ax.set_axis_off()
    ax.set_ylim(0, 100)
    ax.set_xlim(-0.5, max(len(values) - 0.5, 0.5))
    ax.plot(range(len(values)), values, color=ACCENT, linewidth=1.5)
    if values:
        ax.plot([len(values) - 1], [values[-1]], "o", color=ACCENT, markersize=3)
    alt = f"strength {values[0]:.0f} to {values[-1]:.0f} over {len(values)} weeks" if values else "no history"
    return Chart(_png(fig), width, height, alt)


def _figure(width: int, height: int, layout: str | None = None, background: str = "white") -> Figure:
    fig = Figure(figsize=(width / 100, height / 100), dpi=100 * SCALE, facecolor=background, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    # No "Software" metadata: the same data gives the same bytes.
    fig.savefig(buf, format="png", dpi=100 * SCALE, facecolor=fig.get_facecolor(), metadata={"Software": None})
    return buf.getvalue()
