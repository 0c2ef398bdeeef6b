"""What the gateway handles: every event of the platform, kept for the bureaus' webhooks and
queued for each endpoint whose scope (its filter within its bureau's permissions) wants it. The
sending is `gateway.webhooks`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.webhooks import Filter, Owner, scope
from gateway.repository import WebhookRepository
from shared.db import WOKE_BY_COMMIT, utcnow
from shared.events.catalogue import CATALOGUE
from shared.events.envelope import Event
from shared.inbox import handling_many
from shared.service import ConsumerSpec


async def queue_for_webhooks(session: AsyncSession, events: list[Event]) -> None:
    """A batch of events: kept in one insert, and queued in one more for each endpoint whose scope
    wants them (the endpoints read once a batch)."""
    repo = WebhookRepository(session)
    endpoints = [(h.id, scope(Owner(h.department, h.region), Filter(tuple(h.event_types), tuple(h.regions)))) for h in await repo.every()]
    seqs = await repo.keep_events(
        [{"event_id": str(e.id), "type": e.type, "region": e.region, "time": e.time, "payload": e.model_dump_json()} for e in events]
    )
    now = utcnow()
    owed = [
        {
            "webhook_id": hook_id, "event_seq": seqs[str(e.id)], "event_id": str(e.id), "event_type": e.type, "round": 0,
            "status": "pending", "attempts": 0, "next_attempt_at": now, "attempt_log": [], "created_at": now,
        }
        for e in events
        for hook_id, wanted in endpoints
        if wanted.wants(e.type, e.region)
    ]  # fmt: skip
    if owed:
        await repo.owe_live(owed)
        session.info[WOKE_BY_COMMIT] = True  # the sender wakes when this commits


WEBHOOKS = ConsumerSpec("gateway.webhooks", dict.fromkeys(CATALOGUE, handling_many(queue_for_webhooks)))

CONSUMERS = [WEBHOOKS]
