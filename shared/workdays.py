"""Working days on the State Council calendar (国务院办公厅 holiday notices), with its adjusted
workdays (调休): a Saturday can be a working day and a Wednesday a holiday."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import structlog

log = structlog.get_logger("tuoyu.workdays")


def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # A year the published calendar does not cover yet: Monday to Friday until it is published.
        log.warning("no State Council calendar for this year; counting Monday to Friday", year=day.year)
        return day.weekday() < 5


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (the day of receipt itself does not count)."""
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        days += is_working_day(day)
    return days
