"""The feed: every producer serves its outbox as `GET /v1/events?after=<position>&limit=<n>`.

Consumers read it to catch up after starting late or after the broker lost data (the embedded
broker forgets everything on restart), and to reconcile. Positions are given in the order rows
became visible (see `shared.tables`), so "after my last position" never skips a row.

The suite's services and administrators read all of a feed. A bureau's subscriber account reads
what the table of readers (`shared.subscriptions`) gives its department, and a county office only
its county's events; a page may then hold fewer items than it scanned, and `next` still moves past
every row scanned, so paging on never stalls and never skips.
"""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import orjson
import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from shared.auth import ClientToken, Principal, require_roles
from shared.errors import field_problem
from shared.events.envelope import Event
from shared.regions import CITY
from shared.subscriptions import may_read, readable_topics, region_covers
from shared.tables import PlatformTables

FEED_READER_ROLES = ("service", "subscriber", "admin")


class FeedItem(BaseModel):
    position: int
    event: Event


class FeedPage(BaseModel):
    items: list[FeedItem]
    next: int | None


def feed_scope(principal: Principal, asked: list[str] | None) -> tuple[list[str] | None, str | None]:
    """(topics, region) the caller may read of a feed; None = no restriction. A subscriber asking
    for a topic its department may not read is refused, naming the topic (订阅权限)."""
    if principal.has_role("service", "admin"):
        return asked, None
    department = principal.department or ""
    if not asked:
        return list(readable_topics(department)), principal.region
    if refused := [t for t in asked if not may_read(department, t)]:
        message = f"{department or 'this account'} may not read {', '.join(refused)}: see the table of readers (shared/subscriptions.py)"
        raise field_problem("topic", "not_readable_by_department", message, status=403, slug="forbidden")
    return asked, principal.region


def _in_region(payload: str, region: str) -> bool:
    return region_covers(region, orjson.loads(payload).get("region", ""))


def feed_router(tables: PlatformTables) -> APIRouter:
    router = APIRouter(tags=["events"])
    outbox = tables.outbox

    @router.get(
        "/v1/events",
        summary="The outbox feed: events after a position, in order",
        responses={200: {"model": FeedPage}},
    )
    async def read_feed(
        request: Request,
        principal: Annotated[Principal, require_roles(*FEED_READER_ROLES)],
        after: Annotated[int, Query(ge=0, description="last position already read (0 = from the start)")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        topic: Annotated[list[str] | None, Query(description="only these topics")] = None,
    ) -> Response:
        topics, region = feed_scope(principal, topic)
        query = sa.select(outbox.c.position, outbox.c.payload).where(outbox.c.position > after)
        if topics is not None:
            query = query.where(outbox.c.topic.in_(topics))
        async with request.app.state.runtime.db.reading() as session:
            rows = (await session.execute(query.order_by(outbox.c.position).limit(limit))).all()
        shown = rows if region in (None, CITY) else [r for r in rows if _in_region(r.payload, region)]
        # The payloads are stored as JSON already: splice them in rather than re-encoding.
        items = b",".join(b'{"position":%d,"event":%s}' % (r.position, r.payload.encode()) for r in shown)
        next_after = rows[-1].position if len(rows) == limit else None  # past every row scanned, shown or not
        body = b'{"items":[%s],"next":%s}' % (items, orjson.dumps(next_after))
        return Response(body, media_type="application/json")

    return router


class FeedClient:
    """Reads producers' feeds with a client-credentials token: a service's own, or a bureau's."""

    def __init__(self, http: httpx.AsyncClient, token: ClientToken, base_urls: dict[str, str]) -> None:
        self.http, self.token, self.base_urls = http, token, base_urls

    async def page(self, source: str, after: int, topics: list[str], limit: int) -> list[tuple[int, dict[str, Any]]]:
        """(position, raw envelope) pairs after `after` from `source`'s feed."""
        return (await self.read(source, after, topics, limit))[0]

    async def read(self, source: str, after: int, topics: list[str], limit: int) -> tuple[list[tuple[int, dict[str, Any]]], int | None]:
        """The page, and the position the next one starts after (None at the end; a reader the feed
        filters for may get fewer items than it scanned, and goes on from there)."""
        url = f"{self.base_urls[source]}/v1/events"
        params: list[tuple[str, str | int]] = [("after", after), ("limit", limit), *(("topic", t) for t in topics)]
        response = await self.http.get(url, params=params, headers=await self.token.header())
        if response.status_code == 401:
            self.token.forget()
        response.raise_for_status()
        body = orjson.loads(response.content)
        return [(item["position"], item["event"]) for item in body["items"]], body["next"]
