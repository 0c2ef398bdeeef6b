"""The health bureau's same-month rule, counted in China Standard Time."""

from __future__ import annotations

import datetime as dt

from inspection_svc.domain.inbox import health_region_for, received_same_month


def test_same_month_is_counted_in_china_time() -> None:
    registered = dt.date(2026, 10, 31)
    # 2026-10-31 23:30 in Beijing is 15:30 UTC: still October there.
    assert received_same_month(registered, dt.datetime(2026, 10, 31, 15, 30, tzinfo=dt.UTC))
    # 2026-10-31 16:30 UTC is already 1 November in Beijing: late.
    assert not received_same_month(registered, dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC))


def test_same_month_needs_the_same_year() -> None:
    assert not received_same_month(dt.date(2025, 11, 3), dt.datetime(2026, 11, 3, tzinfo=dt.UTC))


def test_a_registrar_pushes_to_the_health_bureau_of_its_own_level() -> None:
    assert health_region_for("441800") == "441800"
    assert health_region_for("441826") == "441826"
