"""The evidence of the exchange: receipts written as registrations arrive, and the verification of
a month and region against the registrars' hash-chained streams."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.domain.exchange import compare_with_receipts, verify_stream
from inspection_svc.domain.inbox import received_same_month
from inspection_svc.repository import ReceiptRepository
from shared.db import utcnow
from shared.events.catalogue import INSTITUTION_TOPIC, KINDERGARTEN_CLASS_TOPIC
from shared.events.envelope import Event
from shared.regions import CITY
from shared.service import Runtime
from shared.timeutil import month_span

STREAMS = (INSTITUTION_TOPIC, KINDERGARTEN_CLASS_TOPIC)
FIRST_PUSHES = ("tuoyu.registration.institution.registered.v1", "tuoyu.registration.kindergarten_class.recorded.v1")


async def record_receipt(session: AsyncSession, event: Event, topic: str) -> None:
    """Written in the same transaction as the event's effect, once per event (the inbox sees to it)."""
    await ReceiptRepository(session).add(
        {
            "event_id": str(event.id),
            "topic": topic,
            "type": event.type,
            "subject": event.subject,
            "chainprev": event.chainprev,
            "chainhash": event.chainhash,
            "event_time": event.time,
            "received_at": utcnow(),
        }
    )


async def _stream(rt: Runtime, consumer_name: str, topic: str) -> list[tuple[int, dict[str, Any]]]:
    feeds = rt.consumers[consumer_name].feeds
    assert feeds is not None
    items, after = [], 0
    while True:
        page = await feeds.page("registration", after, [topic], 1000)
        items += page
        if len(page) < 1000:
            return items
        after = page[-1][0]


async def verify(rt: Runtime, consumer_name: str, month: str, region: str | None) -> dict[str, Any]:
    streams = {topic: await _stream(rt, consumer_name, topic) for topic in STREAMS}
    async with rt.db.reading() as session:
        receipts = await ReceiptRepository(session).of_topics(list(STREAMS))
    findings = []
    for topic, items in streams.items():
        findings += verify_stream(items)
        findings += compare_with_receipts(items, {k: r for k, r in receipts.items() if r.topic == topic})
    first, last = month_span(month)
    records = []
    for topic, items in streams.items():
        for position, event in items:
            data = event["data"]
            registered_on = data.get("registered_on") or data.get("recorded_on")
            office = data.get("registrar_region") or data.get("ledger_region")
            if event["type"] not in FIRST_PUSHES or not (first.isoformat() <= registered_on <= last.isoformat()):
                continue
            if region and region != CITY and office != region:
                continue
            receipt = receipts.get(event["id"])
            records.append(
                {
                    "position": position,
                    "uscc": event["subject"],
                    "event_id": event["id"],
                    "registered_on": registered_on,
                    "published_at": event["time"],
                    "received_at": receipt.received_at.isoformat() if receipt else None,
                    "same_month": received_same_month(dt.date.fromisoformat(registered_on), receipt.received_at) if receipt else None,
                    "chainhash": event.get("chainhash"),
                    "receipt_matches": receipt is not None and receipt.chainhash == event.get("chainhash"),
                }
            )
    return {
        "month": month,
        "region": region,
        "streams": {topic: {"events": len(items), "head": items[-1][1].get("chainhash") if items else None} for topic, items in streams.items()},
        "verified": not findings,
        "problems": [f.__dict__ for f in findings],
        "records": records,
    }
