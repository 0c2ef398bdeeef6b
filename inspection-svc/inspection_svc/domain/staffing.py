"""Staffing facts as supervision keeps them (policy 三(四): an annual health check per practitioner)."""

from __future__ import annotations

import datetime as dt


def after_health_check(
    checked_on: dt.date | None, valid_until: dt.date | None, check_on: dt.date, fit: bool, check_valid_until: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """(the date of the check that counts, the date it is valid until — None when unfit) once a
    check is told. The latest check by date decides: an unfit check after a fit one leaves no valid
    check; an earlier check told late changes nothing; of two on the same day, unfit prevails."""
    if checked_on is not None and check_on < checked_on:
        return checked_on, valid_until
    if check_on == checked_on and valid_until is None:
        return checked_on, None
    if not fit:
        return check_on, None
    if check_on == checked_on and valid_until is not None:
        return check_on, max(valid_until, check_valid_until)
    return check_on, check_valid_until
