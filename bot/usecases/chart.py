"""The summary's pictures, from plain data to PNG bytes, Chinese labels in Noto Sans CJK.

Problems per unit as stacked horizontal bars (逾期, 整改中, 已销号) on a whole-number axis, and
the weekly report's on-time share week by week. `/summary` sends both in one picture (one
message of the group's budget); each can also be drawn alone (the board, a printed page).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import cvttf_NotoSansCJK_Regular
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator, PercentFormatter

from workflows.documents.summary import UnitBar, WeekShare

FONT_PATH = Path(cvttf_NotoSansCJK_Regular.__file__).parent / "NotoSansCJKtc-Regular.otf"
CHART_COLOURS = {"overdue": "#C00000", "open": "#2E75B6", "closed": "#70AD47", "late": "#A5A5A5"}
WIDTH = 8.0  # inches; at 120 dpi 960 px, as wide as a phone shows and a page prints
BAR = 0.32  # inches a unit's bar takes
WEEKS_HEIGHT = 3.0
MOST_DAY_LABELS = 12


@dataclass(frozen=True)
class ChartWords:
    """The charts' words, already in the reader's language."""

    problems_title: str
    overdue: str
    open: str
    closed: str
    problems_axis: str
    weeks_title: str
    on_time: str
    reported: str
    share_axis: str
    nothing: str  # said in place of an empty chart
    day: Callable[[date], str]  # a reporting day on the axis (`5月6日`)
    left_out: str = ""  # under the bars: how many units are not shown


def _fonts() -> tuple[FontProperties, FontProperties]:
    return FontProperties(fname=str(FONT_PATH), size=11), FontProperties(
        fname=str(FONT_PATH), size=8
    )


def _titled(ax: Axes, title: str, empty: bool, words: ChartWords) -> bool:
    """Title the chart; with nothing to draw, say so in its place. Whether to draw on."""
    font, _ = _fonts()
    ax.set_title(title, fontproperties=font)
    if empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, words.nothing, ha="center", fontproperties=font)
    return not empty


def draw_problems(ax: Axes, bars: Sequence[UnitBar], words: ChartWords) -> None:
    """Stacked horizontal bars, the first unit on top, each bar's total at its end."""
    if not _titled(ax, words.problems_title, not bars, words):
        return
    _, small = _fonts()
    y = [-i for i in range(len(bars))]
    overdue = [b.overdue for b in bars]
    still = [b.open for b in bars]
    ax.barh(y, overdue, color=CHART_COLOURS["overdue"], label=words.overdue)
    ax.barh(y, still, left=overdue, color=CHART_COLOURS["open"], label=words.open)
    ax.barh(
        y,
        [b.closed for b in bars],
        left=[a + b for a, b in zip(overdue, still, strict=True)],
        color=CHART_COLOURS["closed"],
        label=words.closed,
    )
    totals = [b.overdue + b.open + b.closed for b in bars]
    top = max([*totals, 1])
    for yy, total in zip(y, totals, strict=True):
        ax.text(total + top * 0.01, yy, str(total), va="center", fontproperties=small)
    ax.set_yticks(y, [b.name for b in bars], fontproperties=small)
    ax.set_xlim(0, top * 1.08)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(words.problems_axis, fontproperties=small)
    ax.legend(prop=small, loc="lower right", ncols=3)
    ax.grid(axis="x", alpha=0.3)
    if words.left_out:
        ax.text(0, -0.12, words.left_out, transform=ax.transAxes, fontproperties=small)


def draw_on_time(ax: Axes, weeks: Sequence[WeekShare], words: ChartWords) -> None:
    """The on-time share of each week's report (a line), and the share reported at all."""
    if not _titled(ax, words.weeks_title, not weeks, words):
        return
    _, small = _fonts()
    x = list(range(len(weeks)))
    ax.plot(
        x,
        [100 * w.share for w in weeks],
        "o-",
        color=CHART_COLOURS["open"],
        label=words.on_time,
    )
    ax.plot(
        x,
        [100 * (w.on_time + w.late) / w.units if w.units else 0 for w in weeks],
        "--",
        color=CHART_COLOURS["late"],
        label=words.reported,
    )
    step = max(1, -(-len(weeks) // MOST_DAY_LABELS))
    ax.set_xticks(x[::step], [words.day(w.day) for w in weeks[::step]], fontproperties=small)
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.set_ylabel(words.share_axis, fontproperties=small)
    ax.legend(prop=small, loc="upper right")
    ax.grid(alpha=0.3)


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH, height), dpi=120)
    FigureCanvasAgg(fig)
    return fig


def _bars_height(bars: Sequence[UnitBar]) -> float:
    return max(2.4, BAR * len(bars) + 1.4)


def summary_figure(
    bars: Sequence[UnitBar], weeks: Sequence[WeekShare], words: ChartWords
) -> Figure:
    """Both charts in one figure: the problems above, the weekly reports below."""
    top = _bars_height(bars)
    fig = _figure(top + WEEKS_HEIGHT)
    upper, lower = fig.subplots(2, 1, height_ratios=[top, WEEKS_HEIGHT])
    draw_problems(upper, bars, words)
    draw_on_time(lower, weeks, words)
    fig.tight_layout()
    return fig


def problems_figure(bars: Sequence[UnitBar], words: ChartWords) -> Figure:
    """The problems per unit alone."""
    fig = _figure(_bars_height(bars))
    draw_problems(fig.add_subplot(), bars, words)
    fig.tight_layout()
    return fig


def on_time_figure(weeks: Sequence[WeekShare], words: ChartWords) -> Figure:
    """The weekly reports' on-time share alone."""
    fig = _figure(WEEKS_HEIGHT)
    draw_on_time(fig.add_subplot(), weeks, words)
    fig.tight_layout()
    return fig


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def summary_chart(bars: Sequence[UnitBar], weeks: Sequence[WeekShare], words: ChartWords) -> bytes:
    """The summary's picture as PNG bytes (both charts)."""
    return png(summary_figure(bars, weeks, words))
