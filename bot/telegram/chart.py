"""The /summary chart: closure rate and overdue items by unit, Chinese labels in Noto Sans CJK."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import cvttf_NotoSansCJK_Regular
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

FONT_PATH = Path(cvttf_NotoSansCJK_Regular.__file__).parent / "NotoSansCJKtc-Regular.otf"


def closure_chart(
    units: Sequence[str],
    rates: Sequence[float],
    overdue: Sequence[int],
    *,
    title: str,
    rate_label: str,
    overdue_label: str,
) -> bytes:
    """A PNG: bars of 销号率 (%) per unit, and a line of overdue items on a second axis."""
    font = FontProperties(fname=str(FONT_PATH))
    small = FontProperties(fname=str(FONT_PATH), size=8)
    fig = Figure(figsize=(max(6.0, 0.55 * len(units) + 2), 4.5), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = range(len(units))
    ax.bar(positions, [r * 100 for r in rates], color="#2E75B6", label=rate_label)
    ax.set_ylim(0, 100)
    ax.set_ylabel(rate_label, fontproperties=font)
    ax.set_xticks(list(positions), list(units), rotation=45, ha="right", fontproperties=small)
    twin = ax.twinx()
    twin.plot(list(positions), list(overdue), "o-", color="#C00000", label=overdue_label)
    twin.set_ylabel(overdue_label, fontproperties=font)
    twin.set_ylim(0, max([*overdue, 1]) * 1.2)
    ax.set_title(title, fontproperties=font)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
