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


@given(st.lists(instants, min_size=1, max_size=12), st.data())
def test_repeated_and_interleaved_instants_each_written_as_themselves(ats: list[dt.datetime], data: st.DataObject) -> None:
    # The writer keeps the last instant's text: a run of the same instant, the same instant in
    # another zone, and instants in turn must each still be written as themselves.
    write = UTCDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
    sequence = [data.draw(st.sampled_from(ats)) for _ in range(3 * len(ats))]
    sequence += [at.astimezone(dt.timezone(dt.timedelta(hours=8))) for at in ats]
    for at in sequence:
        assert write(at) == SQLALCHEMY_FORM(at.astimezone(dt.UTC).replace(tzinfo=None))


def test_a_naive_time_is_refused_right_after_the_same_wall_clock_time_in_utc() -> None:
    write = UTCDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
    write(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="naive"):
        write(dt.datetime(2026, 1, 1))
