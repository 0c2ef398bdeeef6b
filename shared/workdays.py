"""Working days on the State Council calendar (国务院办公厅 holiday notices), with its adjusted
workdays (调休): a Saturday can be a working day and a Wednesday a holiday."""

from __future__ import annotations

import datetime as dt
from functools import cache

import chinese_calendar
import structlog

log = structlog.get_logger("tuoyu.workdays")

# The first day of the lunar year (正月初一), 端午 (五月初五) and 中秋 (八月十五), for the years after
# those chinese_calendar publishes (checked against lunardate's tables). Extend as years pass.
LUNAR_FESTIVALS: dict[int, tuple[dt.date, dt.date, dt.date]] = {
    2027: (dt.date(2027, 2, 6), dt.date(2027, 6, 9), dt.date(2027, 9, 15)),
    2028: (dt.date(2028, 1, 26), dt.date(2028, 5, 28), dt.date(2028, 10, 3)),
    2029: (dt.date(2029, 2, 13), dt.date(2029, 6, 16), dt.date(2029, 9, 22)),
    2030: (dt.date(2030, 2, 3), dt.date(2030, 6, 5), dt.date(2030, 9, 12)),
    2031: (dt.date(2031, 1, 23), dt.date(2031, 6, 24), dt.date(2031, 10, 1)),
    2032: (dt.date(2032, 2, 11), dt.date(2032, 6, 12), dt.date(2032, 9, 19)),
    2033: (dt.date(2033, 1, 31), dt.date(2033, 6, 1), dt.date(2033, 9, 8)),
    2034: (dt.date(2034, 2, 19), dt.date(2034, 6, 20), dt.date(2034, 9, 27)),
    2035: (dt.date(2035, 2, 8), dt.date(2035, 6, 10), dt.date(2035, 9, 16)),
}


def _days(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(count)]


@cache
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The 全体公民放假的节日 of 《全国年节及纪念日放假办法》 (2024 revision) in `year`: 元旦 1 day,
    春节 4 (the eve and the first three days of the lunar year), 清明 1, 劳动节 2, 端午 1, 中秋 1,
    国庆 3. Empty for a year whose lunar dates are not in `LUNAR_FESTIVALS`."""
    if year not in LUNAR_FESTIVALS:
        return frozenset()
    new_year, dragon_boat, mid_autumn = LUNAR_FESTIVALS[year]
    qingming = next(day for day, term in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10)) if term == "清明")
    return frozenset(
        [dt.date(year, 1, 1), *_days(new_year - dt.timedelta(days=1), 4), qingming, *_days(dt.date(year, 5, 1), 2), dragon_boat, mid_autumn]
        + _days(dt.date(year, 10, 1), 3)
    )


@cache
def _counted_provisionally(year: int) -> None:
    """Said once a year a process counts, not on every day it looks at."""
    if year in LUNAR_FESTIVALS:
        log.warning("no State Council calendar for this year; counting its statutory holidays only", year=year)
    else:
        log.warning("no State Council calendar nor lunar dates for this year; counting Monday to Friday", year=year)


def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # A year the State Council has not published yet (its notice comes late in the year before):
        # the statutory holidays are known (the 放假办法 fixes them), the adjusted workdays (调休)
        # and the bridging days off are not, so until then: Monday to Friday less those holidays.
        _counted_provisionally(day.year)
        return day.weekday() < 5 and day not in statutory_holidays(day.year)


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
