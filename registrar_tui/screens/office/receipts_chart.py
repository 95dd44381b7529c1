"""The receipts of the last 30 days as vertical bars, drawn with block characters.

Rich text, not a plotting library: textual-plotext (1.0.1, tried first) drew a day
without any receipt as a one-line bar at some places, widened the bars when the empty
days were left out, and at the eight lines an 80×24 terminal leaves it cannot tell
40 $ from 100 $. Here each line holds eight steps (▁▂▃▄▅▆▇█), a day with receipts shows
at least one step, a day without shows nothing, and the colours are the theme's (256
colours included). The heights come from the service (`OfficeDashboard.bar_heights`):
the screen draws, it does not compute money.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from registrar_tui.i18n import babel_locale, format_money

if TYPE_CHECKING:
    from registrar_tui.services.office.dashboard import OfficeDashboard

EIGHTHS = " ▁▂▃▄▅▆▇█"
LABEL_EVERY = 7
"""A date under today's bar and every week before it."""


def _day_label(day: object) -> str:
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", day, locale=babel_locale())  # type: ignore[arg-type]


class ReceiptsChart(Widget):
    """Bars of the receipts per day; today's stands out. The figures are in the tables."""

    DEFAULT_CSS = """
    ReceiptsChart {
        height: 10;
        /* Each line is drawn to the column: no wrapping (it would drop leading spaces). */
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._dashboard: OfficeDashboard | None = None

    def show(self, dashboard: OfficeDashboard) -> None:
        self._dashboard = dashboard
        self.refresh()

    def render(self) -> Text:
        dashboard = self._dashboard
        if dashboard is None or not dashboard.receipts:
            return Text("")
        theme = self.app.current_theme
        day_style = Style(color=theme.primary)
        today_style = Style(color=theme.accent or theme.primary, bold=True)
        width, height = self.size
        rows = max(height - 2, 1)  # the axis and the dates below the bars
        top, zero = format_money(dashboard.busiest_day), format_money(Decimal(0))
        margin = max(len(top), len(zero)) + 1
        days = len(dashboard.receipts)
        per_day = max(1, (width - margin - 1) // days)
        bar = max(1, per_day - 1)
        heights = dashboard.bar_heights(rows * 8)
        last = days - 1
        chart = Text(no_wrap=True, overflow="crop", end="")
        for row in range(rows):
            floor = (rows - 1 - row) * 8
            label = top if row == 0 else zero if row == rows - 1 else ""
            chart.append(label.rjust(margin - 1) + "│")
            for index, steps in enumerate(heights):
                fill = min(max(steps - floor, 0), 8)
                chart.append(EIGHTHS[fill] * bar, today_style if index == last else day_style)
                chart.append(" " * (per_day - bar))
            chart.append("\n")
        chart.append(" " * (margin - 1) + "└" + "─" * (per_day * days) + "\n")
        dates = [" "] * (margin + per_day * days)
        for index in range(last, -1, -LABEL_EVERY):
            text = _day_label(dashboard.receipts[index].day)
            column = margin + index * per_day  # the bar's first column
            # Today's date ends under its bar (the chart's right edge); the others are
            # centred under theirs.
            wanted = column + bar - len(text) if index == last else column + (bar - len(text)) // 2
            start = min(max(wanted, 0), len(dates) - len(text))
            if all(char == " " for char in dates[max(start - 1, 0) : start + len(text) + 1]):
                dates[start : start + len(text)] = list(text)
        chart.append("".join(dates).rstrip())
        return chart
