"""`Idempotency-Key` (DESIGN §6): a write sent many times at once, or retried after a timeout,
happens once, and every copy gets the same answer.

The key is claimed in its own short transaction (a row per caller and key); the operation then runs
in a transaction that also stores its answer. A concurrent copy finds the claim and is told to
retry (409, `Retry-After`); a later copy gets the stored answer; a copy with the same key but a
different request is refused. A claim whose owner died is taken over after `stale_after_s`.

Only an outcome is stored: what the operation did and answered. A refusal (a problem raised) wrote
nothing, and it depends on the state (not approved yet, not eligible today …): the key is released,
so a retry after the state has changed runs again instead of being told the old refusal.

A route that runs `Idempotency` itself keeps its answer in its operation's transaction (the
disbursement). Every other write route gets the same through `idempotent_writes`: the request's
write session marks the key `applied` in the write's own transaction, and the answer is kept as
soon as it is sent. A copy that finds a key applied but its answer not kept yet is told to retry;
if the process died in between, it is told the request was applied (read the resource to see it),
and so it is when the answer was not to be kept: an error after the write was made (it is never
made again), or an answer marked `Cache-Control: no-store` (a secret shown once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
import structlog
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import bearer_token
from shared.db import Database, utcnow
from shared.errors import Problem

Operation = Callable[[AsyncSession], Awaitable[tuple[int, Any]]]
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: the row is locked by another transaction (NOWAIT)
log = structlog.get_logger("tuoyu.idempotency")


def _in_progress() -> Problem:
    return Problem(409, "request-in-progress", "The same request is in progress", "retry shortly", headers={"Retry-After": "1"})


def _too_long() -> Problem:
    return Problem(422, "validation", "Idempotency-Key too long", "at most 200 characters")


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
            raise _too_long()
        stored = await self.claim(scope, key, request_hash)
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

    async def settle(self, scope: str, key: str, status: int | None, answer: Any, *, keep: bool) -> None:
        """After a keyed write route answered: when the write was applied, its answer kept (or, not
        to be kept, the key marked `unkept`); the key released when nothing was written (a refusal,
        a failure, or a route that wrote nothing)."""
        table = self.table
        where = (table.c.scope == scope) & (table.c.key == key)
        applied = where & (table.c.status == "applied")
        async with self.db.transaction() as session:
            if status is not None and status < 400 and keep:
                await session.execute(sa.update(table).where(applied).values(status="done", response_status=status, response_body=answer))
            elif status is not None:
                await session.execute(sa.update(table).where(applied).values(status="unkept", response_status=status))
            await session.execute(sa.delete(table).where(where, table.c.status == "pending"))

    async def claim(self, scope: str, key: str, request_hash: str) -> tuple[int, Any] | None:
        """None when this call now owns the key; the stored answer when it was answered before."""
        for _ in range(2):
            try:
                async with self.db.transaction() as session:
                    # not waiting behind a copy whose write holds the row: it is told to retry instead
                    row = (
                        await session.execute(
                            sa.select(self.table).where(self.table.c.scope == scope, self.table.c.key == key).with_for_update(nowait=True)
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
                    if row.status == "unkept" or (row.status == "applied" and row.created_at < now - self.stale_after):
                        raise Problem(
                            409, "request-applied", "The request was applied", "its answer was not kept: read the resource to see its state"
                        )
                    # its owner died before applying it, or it is a refusal an earlier version stored: take it over
                    if row.status == "done" or (row.status == "pending" and row.created_at < now - self.stale_after):
                        await session.execute(
                            sa.update(self.table)
                            .where(self.table.c.scope == scope, self.table.c.key == key)
                            .values(status="pending", response_status=None, response_body=None, created_at=now)
                        )
                        return None
                    raise _in_progress()
            except IntegrityError:
                continue  # another copy inserted the claim at the same moment: look again
            except DBAPIError as error:
                if getattr(error.orig, "pgcode", None) != LOCK_NOT_AVAILABLE:
                    raise
                break
        raise _in_progress()


# -- every write of a service (DESIGN §6: "writes accept an Idempotency-Key header") --------------

KEYED = "idempotency_keyed"  # request state: the key sent and the digest of the body as it was read
CLAIM = "idempotency_claim"  # request state: the key this request owns, marked with its write


class Replayed(Exception):
    """The answer a copy gets when its key was answered before."""

    def __init__(self, status: int, answer: Any) -> None:
        self.status, self.answer = status, answer

    def response(self) -> Response:
        headers = {"Idempotent-Replayed": "true"}
        return Response(status_code=self.status, headers=headers) if self.answer is None else JSONResponse(self.answer, self.status, headers=headers)


@dataclass
class Keyed:
    """The key sent, and the digest of the request as the route reads it. A multipart body (an
    .xlsx import) is digested without its boundary, which a client draws anew for each send."""

    key: str
    digest: Any  # hashlib's sha256
    boundary: bytes | None = None
    parts: list[bytes] = field(default_factory=list)

    def read(self, chunk: bytes) -> None:
        if self.boundary is None:
            self.digest.update(chunk)
        else:
            self.parts.append(chunk)

    def hexdigest(self) -> str:
        if self.boundary is not None:
            self.digest.update(b"".join(self.parts).replace(self.boundary, b""))
            self.parts.clear()
        return self.digest.hexdigest()


def _boundary(content_type: str) -> bytes | None:
    kind, _, parameters = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for parameter in parameters.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1")
    return None


@dataclass(frozen=True)
class Claim:
    keys: Idempotency
    scope: str
    key: str


async def claim_for_write(request: Request, db: Database, table: sa.Table | None) -> Claim | None:
    """Called by the request's write session before it begins: None without a key (or without a
    valid token: the route refuses it); raises `Replayed` when the key was answered before."""
    keyed: Keyed | None = getattr(request.state, KEYED, None)
    if keyed is None or table is None:
        return None
    caller = _caller(request)
    if caller is None:
        return None
    if len(keyed.key) > 200:
        raise _too_long()
    claim = Claim(Idempotency(db, table), f"{caller} {request.method} {request.url.path}"[:200], keyed.key)
    stored = await claim.keys.claim(claim.scope, claim.key, keyed.hexdigest())
    if stored is not None:
        raise Replayed(*stored)
    setattr(request.state, CLAIM, claim)
    return claim


async def mark_applied(claim: Claim, session: AsyncSession) -> None:
    """In the write's own transaction: the key's request took effect (or, rolled back, did not)."""
    table = claim.keys.table
    where = (table.c.scope == claim.scope) & (table.c.key == claim.key) & (table.c.status == "pending")
    if (await session.execute(sa.update(table).where(where).values(status="applied"))).rowcount != 1:
        # taken over meanwhile by a copy that thought this one dead: that copy writes, this one not
        raise _in_progress()


def _caller(request: Request) -> str | None:
    try:
        return request.app.state.verifier.verify(bearer_token(request)).sub
    except Problem:
        return None


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class IdempotencyMiddleware:
    """For a write sent with `Idempotency-Key`: digests the body as the route reads it (the write
    session claims the key with it) and, when the request claimed its key, keeps the answer it got
    or releases the key. Other requests pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if not key:
            await self.app(scope, receive, send)
            return
        keyed = Keyed(key, hashlib.sha256(scope.get("query_string", b"")), _boundary(headers.get("content-type", "")))
        state = scope.setdefault("state", {})
        state[KEYED] = keyed

        async def digesting() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                keyed.read(message.get("body", b""))
            return message

        async def settle(status: int | None, answer: Any, keep: bool = False) -> None:
            if (claim := state.pop(CLAIM, None)) is None:
                return
            try:
                await claim.keys.settle(claim.scope, claim.key, status, answer, keep=keep)
            except Exception as error:  # noqa: BLE001 - the write is made and answered: a copy will be told so
                log.warning("idempotency answer not kept", key=claim.key, error=repr(error)[:300])

        # the answer is kept before its last byte leaves, so a copy sent once it arrived finds it
        captured = _Captured(send, settle)
        try:
            await self.app(scope, digesting, captured.send)
        finally:
            await settle(None, None)  # the route failed before answering: release the key


class _Captured:
    """Passes the answer on; before its last part, hands its status and (JSON) body to `complete`."""

    def __init__(self, send: Send, complete: Callable[..., Awaitable[None]]) -> None:
        self._send, self._complete, self._status, self._json, self._keep, self._chunks = send, complete, None, False, True, []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = Headers(raw=message["headers"])
            self._status = message["status"]
            self._json = headers.get("content-type", "").startswith(("application/json", "application/problem+json"))
            self._keep = "no-store" not in headers.get("cache-control", "")
        elif message["type"] == "http.response.body":
            if self._json and self._keep:
                self._chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                answer = orjson.loads(b"".join(self._chunks)) if self._json and any(self._chunks) else None
                await self._complete(self._status, answer, self._keep)
        await self._send(message)
