"""Dates as the bureaus count them: in China Standard Time, whatever the server's zone."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china() -> dt.date:
    return dt.datetime.now(CHINA).date()


def china_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_span(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a `YYYY-MM` month."""
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


# YYYY-MM of a year the bureaus can mean (1900–2099), as query and field patterns.
MONTH_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
