"""Timestamps on SQLite: written in one step in the form SQLAlchemy's SQLite dialect writes and
reads, so that stored text, comparisons in SQL and values read back are as before."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from shared.db import UTCDateTime

SQLITE = sqlite.dialect()
SQLALCHEMY_FORM = sa.DateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
WRITE = UTCDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
READ = UTCDateTime().dialect_impl(SQLITE).result_processor(SQLITE, None)

zones = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
instants = st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2200, 1, 1), timezones=zones)


@given(instants)
def test_written_as_sqlalchemy_writes_utc_and_read_back_as_the_same_instant(at: dt.datetime) -> None:
    text = WRITE(at)
    assert text == SQLALCHEMY_FORM(at.astimezone(dt.UTC).replace(tzinfo=None))
    assert READ(text) == at and READ(text).tzinfo == dt.UTC


@given(instants, instants)
def test_stored_text_orders_as_the_instants_do(a: dt.datetime, b: dt.datetime) -> None:
    with sqlite3.connect(":memory:") as db:
        earlier = db.execute("SELECT ? < ?", (WRITE(a), WRITE(b))).fetchone()[0]
    assert bool(earlier) == (a < b)


def test_none_stays_null_and_a_naive_time_is_refused() -> None:
    assert WRITE(None) is None
    with pytest.raises(ValueError, match="naive"):
        WRITE(dt.datetime(2026, 1, 1))
