"""Simple horizontal bar charts as plain numbers for an inline SVG
(``insights/pdf/bar_chart.html``): drawn on the server, no script, no
library; WeasyPrint renders the SVG."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 480  # the SVG's user units; the page scales it to the column width
LABEL_WIDTH = 170
VALUE_WIDTH = 80
BAR_HEIGHT = 14
GAP = 6


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str  # the value as printed next to the bar
    y: int
    text_y: int
    width: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_x: int = LABEL_WIDTH + 4

    @property
    def value_x(self) -> int:
        return WIDTH - VALUE_WIDTH + 6

    @property
    def axis_height(self) -> int:
        return self.height


def bar_chart(title: str, rows: list[tuple[str, Decimal | int, str]]) -> BarChart | None:
    """``rows``: (label, value, value as shown). None when there is nothing to
    draw (no rows, or every value zero or less)."""
    values = [Decimal(value) for _label, value, _shown in rows]
    largest = max((value for value in values if value > 0), default=Decimal(0))
    if not rows or largest <= 0:
        return None
    span = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH - 4)
    bars = []
    for index, ((label, _value, shown), value) in enumerate(zip(rows, values, strict=True)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = (span * max(value, Decimal(0)) / largest).quantize(Decimal("0.1"))
        bars.append(
            Bar(label=str(label), shown=shown, y=y, text_y=y + BAR_HEIGHT - 3, width=str(width))
        )
    height = GAP + len(rows) * (BAR_HEIGHT + GAP)
    return BarChart(title=str(title), bars=bars, height=height)
