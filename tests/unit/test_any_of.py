"""`any_of`: `column IN values` bound as one parameter. On SQLite it must stay a condition an index
can serve — rendered as `(… IN …) = 1` it made every consumer batch scan its whole table."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import any_of

metadata = sa.MetaData()
things = sa.Table(
    "things",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String, unique=True),
    sa.Column("kind", sa.String),
)


def test_sqlite_looks_the_values_up_in_the_index_and_finds_exactly_them() -> None:
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(things.insert(), [{"key": f"k{i}", "kind": "a" if i % 2 else "b"} for i in range(200)])
        sent: list[tuple[str, tuple[object, ...]]] = []
        sa.event.listen(conn, "before_cursor_execute", lambda _c, _cur, statement, parameters, *_: sent.append((statement, parameters)))
        query = sa.select(things.c.key).where(any_of(things.c.key, ["k3", "k4", "k999"]), things.c.kind == "a")
        assert conn.execute(query).scalars().all() == ["k3"]
        statement, parameters = sent[-1]
        plan = " ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
        assert "SEARCH things USING INDEX" in plan and "SCAN things" not in plan
        assert conn.execute(sa.select(things.c.key).where(any_of(things.c.key, []))).all() == []
