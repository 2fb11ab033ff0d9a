"""The spread of a statement over time, as the geometry of an SVG the server draws.

:func:`draw_timeline` takes one point per variant (its outlet and publication time, if known)
and lays them out: one row per outlet (in order of first appearance), one mark per dated
variant on a shared time axis, a few dated ticks. Variants without a date are returned apart,
to be listed, never plotted at a guessed time. Pure: the template turns the geometry into
``<svg>`` elements and escapes every label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import msgspec

WIDTH = 720
LABEL_WIDTH = 170  # room for the outlet names, left of the axis
RIGHT_MARGIN = 24
TOP = 12
ROW_HEIGHT = 30
AXIS_HEIGHT = 34
# Marks at the same time in one row are spread this far apart so that each one shows.
STACK_OFFSET = 9.0
# A span of less than this (one day of articles with no times) is drawn as this long.
MIN_SPAN = timedelta(days=1)


class Point(msgspec.Struct, frozen=True, kw_only=True):
    """One variant to place: ``key`` names it (an anchor on the page), ``label`` describes it."""

    key: str
    outlet: str
    when: datetime | None
    label: str


class Row(msgspec.Struct, frozen=True, kw_only=True):
    outlet: str
    y: float


class Mark(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    x: float
    y: float
    label: str
    first: bool


class Tick(msgspec.Struct, frozen=True, kw_only=True):
    x: float
    label: str


class Timeline(msgspec.Struct, frozen=True, kw_only=True):
    width: int
    height: int
    axis_y: float
    axis_start: float
    axis_end: float
    rows: tuple[Row, ...]
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    undated: tuple[Point, ...]


def parse_published(value: str | None) -> datetime | None:
    """An article's ``published`` field as an aware datetime (UTC when it names no zone), or
    None when it is missing or not an ISO 8601 date."""
    if not value:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        parsed = datetime(day.year, day.month, day.day)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def has_time(value: datetime) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0)


def draw_timeline(points: Sequence[Point]) -> Timeline:
    """The timeline of ``points``: rows by outlet, marks by time, undated points apart."""
    dated = sorted(
        (p for p in points if p.when is not None), key=lambda p: (p.when, p.outlet, p.key)
    )
    undated = tuple(p for p in points if p.when is None)
    outlets = list(dict.fromkeys(p.outlet for p in dated))
    rows = tuple(
        Row(outlet=outlet, y=TOP + ROW_HEIGHT * n + ROW_HEIGHT / 2)
        for n, outlet in enumerate(outlets)
    )
    row_y = {row.outlet: row.y for row in rows}
    axis_y = TOP + ROW_HEIGHT * len(rows) + 4
    start_x, end_x = float(LABEL_WIDTH), float(WIDTH - RIGHT_MARGIN)
    if not dated:
        return Timeline(
            width=WIDTH, height=0, axis_y=0.0, axis_start=start_x, axis_end=end_x,
            rows=(), marks=(), ticks=(), undated=undated,
        )  # fmt: skip
    first = dated[0].when
    last = dated[-1].when
    assert first is not None and last is not None
    span = last - first
    if span < MIN_SPAN:  # one day (or one instant): centre it in a day-wide axis
        middle = first + span / 2
        first, last = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
        span = MIN_SPAN
    usable = end_x - start_x - 2 * STACK_OFFSET

    def x_of(when: datetime) -> float:
        return start_x + STACK_OFFSET + usable * ((when - first) / span)

    marks: list[Mark] = []
    stacked: dict[tuple[str, float], int] = {}
    for n, point in enumerate(dated):
        assert point.when is not None
        x = round(x_of(point.when), 1)
        depth = stacked.get((point.outlet, x), 0)
        stacked[(point.outlet, x)] = depth + 1
        marks.append(
            Mark(
                key=point.key,
                x=round(x + STACK_OFFSET * depth, 1),
                y=row_y[point.outlet],
                label=point.label,
                first=n == 0,
            )
        )
    return Timeline(
        width=WIDTH,
        height=int(axis_y + AXIS_HEIGHT),
        axis_y=axis_y,
        axis_start=start_x,
        axis_end=end_x,
        rows=rows,
        marks=tuple(marks),
        ticks=_ticks(dated[0].when, dated[-1].when, x_of),
        undated=undated,
    )


def _ticks(
    first: datetime | None, last: datetime | None, x_of: Callable[[datetime], float]
) -> tuple[Tick, ...]:
    """A tick at the first and the last dated variant (one when they share a day)."""
    assert first is not None and last is not None
    wanted = [first] if first.date() == last.date() and not has_time(last) else [first, last]
    ticks = []
    for when in wanted:
        label = when.strftime("%Y-%m-%d %H:%M" if has_time(when) else "%Y-%m-%d")
        ticks.append(Tick(x=round(x_of(when), 1), label=label))
    return tuple(ticks)
