"""The timeline's geometry: rows by outlet, one mark per dated variant, undated ones apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.page.timeline import Point, draw_timeline, parse_published


def point(key: str, outlet: str, when: datetime | None) -> Point:
    return Point(key=key, outlet=outlet, when=when, label=f"{outlet} {key}")


DAY = datetime(2024, 3, 1, tzinfo=UTC)


def test_one_mark_per_dated_point_one_row_per_outlet_undated_apart() -> None:
    points = [
        point("a", "Gazette", DAY + timedelta(days=2)),
        point("b", "Courier", DAY),
        point("c", "Gazette", DAY + timedelta(days=5)),
        point("d", "Herald", None),
    ]
    timeline = draw_timeline(points)
    assert [m.key for m in timeline.marks] == ["b", "a", "c"]
    assert [r.outlet for r in timeline.rows] == ["Courier", "Gazette"]  # by first appearance
    assert [p.key for p in timeline.undated] == ["d"]
    row_y = {r.outlet: r.y for r in timeline.rows}
    assert all(
        m.y == row_y[next(p.outlet for p in points if p.key == m.key)] for m in timeline.marks
    )
    xs = [m.x for m in timeline.marks]
    assert xs == sorted(xs) and len(set(xs)) == 3  # later is further right
    assert [m.first for m in timeline.marks] == [True, False, False]
    assert all(timeline.axis_start <= x <= timeline.axis_end for x in xs)
    assert [t.label for t in timeline.ticks] == ["2024-03-01", "2024-03-06"]


def test_marks_at_the_same_time_in_one_row_do_not_hide_each_other() -> None:
    timeline = draw_timeline([point(k, "Gazette", DAY) for k in "abc"])
    assert len({m.x for m in timeline.marks}) == 3
    assert len({m.y for m in timeline.marks}) == 1
    assert [t.label for t in timeline.ticks] == ["2024-03-01"]


def test_nothing_dated_draws_nothing_and_lists_everything() -> None:
    timeline = draw_timeline([point("a", "Gazette", None), point("b", "Courier", None)])
    assert timeline.marks == () and timeline.rows == () and timeline.height == 0
    assert [p.key for p in timeline.undated] == ["a", "b"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-05-24", datetime(2023, 5, 24, tzinfo=UTC)),
        ("2023-05-24T09:30:00Z", datetime(2023, 5, 24, 9, 30, tzinfo=UTC)),
        ("2023-05-24T09:30:00+02:00", datetime(2023, 5, 24, 7, 30, tzinfo=UTC)),
        ("2023-05-24 extra words", datetime(2023, 5, 24, tzinfo=UTC)),
        ("last Tuesday", None),
        ("", None),
        (None, None),
    ],
)
def test_published_dates_parse_or_are_none(value: str | None, expected: datetime | None) -> None:
    assert parse_published(value) == expected
