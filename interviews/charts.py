"""Charts drawn on the server: the geometry of inline SVGs that templates render.

No chart library and no script: the page's CSP allows neither inline styles nor eval, and an SVG
with presentation attributes is readable by screen readers (with its title, description and the
numbers as text) and works without JavaScript.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from interviews.selectors import HistogramBin

# Colours with at least 3:1 contrast against the white card (WCAG 1.4.11, graphical objects).
BAR_FILL = "#3451b2"
EVENT_FILLS = {
    "collected": "#5b6b82",
    "submitted": "#1f7a4d",
    "failed": "#b42318",
    "other": "#6b5e95",
}


def number_label(value: float) -> str:
    """Return a short label for a score: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str
    label_x: float
    label_y: float
    fill: str = BAR_FILL


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    baseline: float
    tick_y: float
    bars: list[Bar]
    ticks: list[Tick]
    total: int
    description: str


def histogram_chart(
    bins: Sequence[HistogramBin], *, width: int = 320, height: int = 150
) -> Histogram:
    """Return the bars of a score histogram: one bar per bin, height proportional to its count."""
    top, bottom, side = 20, 26, 4
    baseline = height - bottom
    plot_width = width - 2 * side
    tallest = max((item.count for item in bins), default=0) or 1
    slot = plot_width / max(len(bins), 1)
    gap = min(4.0, slot * 0.15)
    bars = []
    for index, item in enumerate(bins):
        bar_height = (baseline - top) * item.count / tallest
        x = side + index * slot + gap / 2
        bars.append(
            Bar(
                x=round(x, 2),
                y=round(baseline - bar_height, 2),
                width=round(slot - gap, 2),
                height=round(bar_height, 2),
                count=item.count,
                label=f"{number_label(item.lower)} to {number_label(item.upper)}",
                label_x=round(x + (slot - gap) / 2, 2),
                label_y=round(baseline - bar_height - 5, 2),
            )
        )
    ticks = []
    if bins:
        ticks.append(Tick(x=side, label=number_label(bins[0].lower), anchor="start"))
        if len(bins) > 1:
            middle = (bins[0].lower + bins[-1].upper) / 2
            ticks.append(Tick(x=width / 2, label=number_label(middle), anchor="middle"))
        ticks.append(Tick(x=width - side, label=number_label(bins[-1].upper), anchor="end"))
    total = sum(item.count for item in bins)
    description = "; ".join(f"{bar.label}: {bar.count}" for bar in bars)
    return Histogram(
        width=width,
        height=height,
        baseline=baseline,
        tick_y=height - 6,
        bars=bars,
        ticks=ticks,
        total=total,
        description=f"Scores of {total} results, from low to high. {description}.",
    )


@dataclass(frozen=True)
class FunnelRow:
    key: str
    label: str
    count: int
    y: float
    bar_width: float
    bar_height: float
    count_x: float
    fill: str
    text_y: float
    # The bar's length as a share of the largest (0-100), for bars drawn in HTML rows.
    percent: float


@dataclass(frozen=True)
class Funnel:
    width: int
    height: int
    label_width: int
    rows: list[FunnelRow]
    description: str


def funnel_chart(
    steps: Sequence[tuple[str, str, int]], *, width: int = 320, row_height: int = 30
) -> Funnel:
    """Return horizontal bars for (key, label, count) steps, longest bar for the largest count."""
    label_width, count_width, gap = 84, 40, 8
    plot_width = width - label_width - count_width
    largest = max((count for _, _, count in steps), default=0) or 1
    rows = []
    for index, (key, label, count) in enumerate(steps):
        y = index * row_height + 2
        # A zero still shows a sliver, so the row does not look missing.
        bar_width = round(max(2.0, plot_width * count / largest), 2)
        rows.append(
            FunnelRow(
                key=key,
                label=label,
                count=count,
                y=y,
                bar_width=bar_width,
                bar_height=row_height - gap,
                count_x=label_width + bar_width + 6,
                fill=EVENT_FILLS.get(key, BAR_FILL),
                text_y=y + (row_height - gap) / 2 + 5,
                percent=round(100 * count / largest, 2),
            )
        )
    description = "; ".join(f"{row.label}: {row.count}" for row in rows)
    return Funnel(
        width=width,
        height=len(rows) * row_height,
        label_width=label_width,
        rows=rows,
        description=f"Results by event. {description}.",
    )
