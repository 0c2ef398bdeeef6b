"""What the gateway handles: every event of the platform, kept for the bureaus' webhooks and
queued for each endpoint whose scope (its filter within its bureau's permissions) wants it. The
sending is `gateway.webhooks`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.webhooks import Filter, Owner, Scope, scope
from gateway.models import WebhookDelivery, WebhookEvent
from gateway.repository import WebhookRepository
from shared.db import WOKE_BY_COMMIT, utcnow
from shared.events.catalogue import CATALOGUE
from shared.events.envelope import Event
from shared.inbox import prefetching
from shared.service import ConsumerSpec

ENDPOINTS = "gateway_webhook_scopes"


async def _endpoints(session: AsyncSession) -> list[tuple[str, Scope]]:
    hooks = await WebhookRepository(session).every()
    return [(h.id, scope(Owner(h.department, h.region), Filter(tuple(h.event_types), tuple(h.regions)))) for h in hooks]


async def _read_endpoints_once(session: AsyncSession, events: list[Event]) -> None:
    session.info[ENDPOINTS] = await _endpoints(session)


@prefetching(_read_endpoints_once)
async def queue_for_webhooks(session: AsyncSession, event: Event) -> None:
    repo = WebhookRepository(session)
    kept = WebhookEvent(event_id=str(event.id), type=event.type, region=event.region, time=event.time, payload=event.model_dump_json())
    await repo.keep_event(kept)
    now = utcnow()
    endpoints = session.info[ENDPOINTS] if ENDPOINTS in session.info else await _endpoints(session)
    for hook_id, wanted in endpoints:
        if wanted.wants(event.type, event.region):
            repo.add(
                WebhookDelivery(
                    webhook_id=hook_id, event_seq=kept.seq, event_id=str(event.id), event_type=event.type, round=0, status="pending",
                    attempts=0, next_attempt_at=now, attempt_log=[], created_at=now,
                )
            )
            session.info[WOKE_BY_COMMIT] = True  # the sender wakes when this commits


WEBHOOKS = ConsumerSpec("gateway.webhooks", dict.fromkeys(CATALOGUE, queue_for_webhooks))

CONSUMERS = [WEBHOOKS]
