"""`Idempotency-Key` (DESIGN §6): a write sent many times at once, or retried after a timeout,
happens once, and every copy gets the same answer.

The key is claimed in its own short transaction (a row per caller and key); the operation then runs
in a transaction that also stores its answer. A concurrent copy finds the claim and is told to
retry (409, `Retry-After`); a later copy gets the stored answer; a copy with the same key but a
different request is refused. A claim whose owner died is taken over after `stale_after_s`.

Only an outcome is stored: what the operation did and answered. A refusal (a problem raised) wrote
nothing, and it depends on the state (not approved yet, not eligible today …): the key is released,
so a retry after the state has changed runs again instead of being told the old refusal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database, UTCDateTime, utcnow
from shared.errors import Problem

Operation = Callable[[AsyncSession], Awaitable[tuple[int, Any]]]


def idempotency_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "idempotency_key",
        metadata,
        sa.Column("scope", sa.String(200), primary_key=True),  # who asked, for which route
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),  # pending | done
        sa.Column("response_status", sa.Integer, nullable=True),
        sa.Column("response_body", sa.JSON, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def fingerprint(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Idempotency:
    def __init__(self, db: Database, table: sa.Table, *, stale_after_s: float = 60.0) -> None:
        self.db, self.table, self.stale_after = db, table, dt.timedelta(seconds=stale_after_s)

    async def run(self, *, scope: str, key: str | None, request_hash: str, operation: Operation) -> tuple[int, Any]:
        if not key:
            async with self.db.transaction() as session:
                return await operation(session)
        if len(key) > 200:
            raise Problem(422, "validation", "Idempotency-Key too long", "at most 200 characters")
        stored = await self._claim(scope, key, request_hash)
        if stored is not None:
            return stored
        where = (self.table.c.scope == scope) & (self.table.c.key == key)
        try:
            async with self.db.transaction() as session:
                status, body = await operation(session)
                await session.execute(sa.update(self.table).where(where).values(status="done", response_status=status, response_body=body))
            return status, body
        except BaseException:  # a refusal or a failure: nothing written, nothing to replay
            async with self.db.transaction() as session:
                await session.execute(sa.delete(self.table).where(where, self.table.c.status == "pending"))
            raise

    async def _claim(self, scope: str, key: str, request_hash: str) -> tuple[int, Any] | None:
        """None when this call now owns the key; the stored answer when it was answered before."""
        for _ in range(2):
            try:
                async with self.db.transaction() as session:
                    row = (
                        await session.execute(
                            sa.select(self.table).where(self.table.c.scope == scope, self.table.c.key == key).with_for_update()
                        )
                    ).first()
                    now = utcnow()
                    if row is None:
                        await session.execute(
                            sa.insert(self.table).values(scope=scope, key=key, request_hash=request_hash, status="pending", created_at=now)
                        )
                        return None
                    if row.request_hash != request_hash:
                        raise Problem(422, "idempotency-key-reused", "Idempotency-Key reused", "this key was used for a different request")
                    if row.status == "done" and row.response_status < 400:
                        return row.response_status, row.response_body
                    # its owner died, or it is a refusal an earlier version stored: take it over
                    if row.status == "done" or row.created_at < now - self.stale_after:
                        await session.execute(
                            sa.update(self.table)
                            .where(self.table.c.scope == scope, self.table.c.key == key)
                            .values(status="pending", response_status=None, response_body=None, created_at=now)
                        )
                        return None
                    raise Problem(409, "request-in-progress", "The same request is in progress", "retry shortly", headers={"Retry-After": "1"})
            except IntegrityError:
                continue  # another copy inserted the claim at the same moment: look again
        raise Problem(409, "request-in-progress", "The same request is in progress", "retry shortly", headers={"Retry-After": "1"})
