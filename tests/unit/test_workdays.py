"""The 5- and 15-working-day filing clocks on the State Council calendar of 2026, across the
Spring Festival and National Day holidays and their adjusted workdays (调休)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from inspection_svc.domain.filing import FilingClock, answer_due, filing_clock, filing_overdue, unfiled_overdue, unfiled_overdue_up_to
from shared.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 14), True),  # Saturday, adjusted workday before the Spring Festival
        (D(2026, 2, 16), False),  # Monday, Spring Festival holiday
        (D(2026, 2, 23), False),  # Monday, last day of the holiday
        (D(2026, 2, 28), True),  # Saturday, adjusted workday after it
        (D(2026, 9, 20), True),  # Sunday, adjusted workday before National Day
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),  # Wednesday, still National Day holiday
        (D(2026, 10, 10), True),  # Saturday, adjusted workday after it
        (D(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_the_2026_calendar_with_its_adjusted_workdays(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_clock_across_national_day() -> None:
    # Received Friday 25 September: 28, 29, 30 September, then the holiday, then 8 and 9 October.
    clock = filing_clock(D(2026, 9, 25))
    assert clock.answer_due_on == D(2026, 10, 9)
    # … 10 October (Saturday, adjusted) is the 6th, then 12–16 and 19–22: the 15th is Thursday
    # 22 October (Monday-to-Friday counting, ignoring both, would say 16 October).
    assert clock.return_due_on == D(2026, 10, 22)


def test_clock_across_the_spring_festival() -> None:
    # Received Thursday 12 February: 13 and 14 (Saturday, adjusted) count, 15–23 are holiday,
    # then 24, 25, 26 February.
    clock = filing_clock(D(2026, 2, 12))
    assert clock.answer_due_on == D(2026, 2, 26)
    # 27, 28 (Saturday, adjusted), 2–6 March, 9, 10, 11 March: the 15th working day.
    assert clock.return_due_on == D(2026, 3, 11)


def test_a_plain_monday_to_friday_week_is_not_the_calendar() -> None:
    # Mon–Fri counting would put the answer on 2 October, in the middle of the holiday.
    assert add_working_days(D(2026, 9, 25), 5) != D(2026, 10, 2)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1


def answer_overdue(status: str, clock: FilingClock, meets_conditions: bool, today: dt.date) -> bool:
    """A filing as submitted with that clock (its answer_by), looked at on `today`."""
    return filing_overdue(SimpleNamespace(status=status, answer_by=answer_due(clock, meets_conditions)), today)


def test_answer_overdue_only_when_unanswered_after_the_due_date() -> None:
    clock = filing_clock(D(2026, 9, 25))  # answer by 9 October, return by 22 October
    assert not answer_overdue("submitted", clock, True, D(2026, 10, 9))
    assert answer_overdue("submitted", clock, True, D(2026, 10, 10))
    assert not answer_overdue("accepted", clock, True, D(2026, 12, 1))


def test_a_filing_not_meeting_the_conditions_is_overdue_only_after_its_15_working_days() -> None:
    clock = filing_clock(D(2026, 9, 25))
    assert not answer_overdue("submitted", clock, False, D(2026, 10, 22))
    assert answer_overdue("submitted", clock, False, D(2026, 10, 23))


def test_unfiled_is_overdue_after_the_allowed_working_days() -> None:
    registered = D(2026, 9, 25)
    # 28, 29, 30 September, 8, 9, 10 October: 6 working days by 10 October
    assert not unfiled_overdue(registered, D(2026, 10, 10), 6)
    assert unfiled_overdue(registered, D(2026, 10, 12), 6)


@pytest.mark.parametrize("today", [D(2026, 10, 12), D(2026, 10, 10), D(2026, 10, 4), D(2026, 2, 24)])
@pytest.mark.parametrize("allowed", [0, 1, 6, 20])
def test_the_last_overdue_registration_date_is_where_unfiled_overdue_turns(today: dt.date, allowed: int) -> None:
    last = unfiled_overdue_up_to(today, allowed)
    for back in range(60):
        day = today - dt.timedelta(days=back)
        assert unfiled_overdue(day, today, allowed) is (day <= last), day


def test_a_year_without_a_published_calendar_counts_monday_to_friday() -> None:
    assert is_working_day(D(2099, 6, 1))  # a Monday
    assert not is_working_day(D(2099, 6, 6))  # a Saturday


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2027, 1, 1), False),  # Friday, 元旦
        (D(2027, 1, 4), True),
        (D(2027, 2, 5), False),  # Friday, 除夕
        (D(2027, 2, 8), False),  # Monday, 正月初三
        (D(2027, 2, 9), True),  # no bridging day off is assumed before the State Council says so
        (D(2027, 4, 5), False),  # Monday, 清明
        (D(2027, 6, 9), False),  # Wednesday, 端午
        (D(2027, 9, 15), False),  # Wednesday, 中秋
        (D(2027, 10, 1), False),  # Friday, 国庆
        (D(2027, 10, 4), True),  # Monday: only three days are statutory
        (D(2036, 1, 1), True),  # Tuesday, a year with no lunar dates either: Monday to Friday
    ],
)
def test_a_year_the_state_council_has_not_published_counts_the_statutory_holidays(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_a_clock_running_into_an_unpublished_year() -> None:
    # Received Thursday 24 December 2026: 25, 28–31 December, then 元旦 off, 4–8 and 11–15 January.
    assert filing_clock(D(2026, 12, 24)).return_due_on == D(2027, 1, 15)
