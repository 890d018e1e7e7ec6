"""Bar charts drawn on the server as inline SVG, with no script: the geometry is computed here,
the markup is ``templates/moderation/_chart.html``.

Accessible by construction: the SVG is an image (``role="img"``) named by its ``<title>`` and
described by its ``<desc>``; every value is written as text beside its bar; the bars share one
dark colour (contrast above 3:1 on white) that means nothing by itself; and each chart has a
table twin on its page, with the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
# Vertical bars (one per day)
COLUMNS_HEIGHT = 240
COLUMNS_TOP = 22  # room for the values above the bars
COLUMNS_BOTTOM = 28  # room for the labels under them
COLUMNS_LEFT = 40  # room for the scale
COLUMNS_RIGHT = 8
MAX_AXIS_LABELS = 10
# Horizontal bars (one per member)
ROW_HEIGHT = 30
ROWS_LABEL_WIDTH = 210
ROWS_VALUE_ROOM = 56
ROWS_MARGIN = 6
LABEL_MAX_CHARS = 28


@dataclass(frozen=True)
class Point:
    """One value to draw: ``label`` names it in full, ``short_label`` under its bar."""

    label: str
    value: int
    short_label: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    value_x: float
    value_y: float
    axis_label: str  # written beside the bar ('' to leave it out where labels would overlap)
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    orientation: str  # "columns" (vertical bars) or "rows" (horizontal bars)
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...] = ()
    axis_x1: float = 0
    axis_y1: float = 0
    axis_x2: float = 0
    axis_y2: float = 0
    plot_left: float = 0
    plot_right: float = 0


def scale_top(largest: int) -> int:
    """The top of the scale: the smallest of 2, 4, 6, 8, 10, 20, 40… that holds ``largest``,
    so that its half is a whole number too."""
    power = 1
    while True:
        for step in (2, 4, 6, 8, 10):
            if step * power >= largest:
                return step * power
        power *= 10


def columns(chart_id: str, title: str, description: str, points: Sequence[Point]) -> Chart:
    """Vertical bars, one per point, left to right; the value above each bar that has one, and
    the short labels under the bars, thinned out (the last one kept) so that they never
    overlap."""
    plot_bottom = COLUMNS_HEIGHT - COLUMNS_BOTTOM
    plot_height = plot_bottom - COLUMNS_TOP
    plot_width = WIDTH - COLUMNS_LEFT - COLUMNS_RIGHT
    top = scale_top(max((point.value for point in points), default=0))
    band = plot_width / max(len(points), 1)
    every = max(1, math.ceil(len(points) / MAX_AXIS_LABELS))
    bars = []
    for index, point in enumerate(points):
        height = plot_height * point.value / top
        x = COLUMNS_LEFT + index * band + band * 0.15
        width = band * 0.7
        labelled = (len(points) - 1 - index) % every == 0
        bars.append(
            Bar(
                label=point.label,
                value=point.value,
                x=round(x, 2),
                y=round(plot_bottom - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                value_x=round(x + width / 2, 2),
                value_y=round(plot_bottom - height - 5, 2),
                axis_label=point.short_label if labelled else "",
                label_x=round(x + width / 2, 2),
                label_y=plot_bottom + 18,
            )
        )
    ticks = tuple(
        Tick(value, round(plot_bottom - plot_height * value / top, 2))
        for value in (0, top // 2, top)
    )
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        orientation="columns",
        width=WIDTH,
        height=COLUMNS_HEIGHT,
        bars=tuple(bars),
        ticks=ticks,
        axis_x1=COLUMNS_LEFT,
        axis_y1=plot_bottom,
        axis_x2=WIDTH - COLUMNS_RIGHT,
        axis_y2=plot_bottom,
        plot_left=COLUMNS_LEFT,
        plot_right=WIDTH - COLUMNS_RIGHT,
    )


def shorten(label: str, limit: int = LABEL_MAX_CHARS) -> str:
    """A label cut to ``limit`` characters with an ellipsis (the table twin has it whole)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def rows(chart_id: str, title: str, description: str, points: Sequence[Point]) -> Chart:
    """Horizontal bars, one per point, top to bottom: the label on the left, the value after
    the bar."""
    height = ROWS_MARGIN * 2 + ROW_HEIGHT * max(len(points), 1)
    plot_left = ROWS_LABEL_WIDTH
    plot_width = WIDTH - ROWS_LABEL_WIDTH - ROWS_VALUE_ROOM
    largest = max((point.value for point in points), default=0) or 1
    bars = []
    for index, point in enumerate(points):
        top = ROWS_MARGIN + index * ROW_HEIGHT
        width = plot_width * point.value / largest
        middle = top + ROW_HEIGHT / 2
        bars.append(
            Bar(
                label=point.label,
                value=point.value,
                x=plot_left,
                y=round(top + ROW_HEIGHT * 0.2, 2),
                width=round(width, 2),
                height=round(ROW_HEIGHT * 0.6, 2),
                value_x=round(plot_left + width + 6, 2),
                value_y=round(middle + 4, 2),
                axis_label=shorten(point.short_label or point.label),
                label_x=plot_left - 8,
                label_y=round(middle + 4, 2),
            )
        )
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        orientation="rows",
        width=WIDTH,
        height=height,
        bars=tuple(bars),
        axis_x1=plot_left,
        axis_y1=ROWS_MARGIN,
        axis_x2=plot_left,
        axis_y2=height - ROWS_MARGIN,
        plot_left=plot_left,
        plot_right=WIDTH - ROWS_VALUE_ROOM,
    )
