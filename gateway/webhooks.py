"""The webhook sender: POSTs what each endpoint is owed, in order, signed, retried with back-off,
every attempt logged, and the endpoint paused after repeated failure with the reason written down.

Per endpoint the deliveries go out in the order they were queued and a failed one holds the ones
behind it (so an institution's events never arrive out of order); endpoints are served side by side.
Sending is at least once: a receiver tells a redelivery by its X-Tuoyu-Event-Id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

import httpx
import structlog
from cryptography.exceptions import InvalidTag

from gateway.domain.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, failure_reason, retry_delay_s, should_pause, sign, unseal
from gateway.models import Webhook, WebhookDelivery
from gateway.repository import WebhookRepository
from shared.db import utcnow
from shared.service import Runtime

log = structlog.get_logger()

PER_ENDPOINT = 20  # deliveries taken from the head of one endpoint's queue per round
PER_ROUND = 500
LOG_KEEP = 20  # attempts kept per delivery


@dataclass
class Outcome:
    seq: int
    status_code: int | None
    error: str | None
    ms: int
    at: dt.datetime

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender:
    def __init__(self, rt: Runtime) -> None:
        self.db, self.http, self.settings = rt.db, rt.http, rt.settings
        self._wake = asyncio.Event()
        self.db.on_commit(self._wake.set)

    async def run(self) -> None:
        while True:
            try:
                sent = await self.round()
            except Exception as exc:  # noqa: BLE001 - the database may be away for a while; try again
                log.warning("webhook round failed", error=repr(exc)[:300])
                sent = 0
            if not sent:
                await self._sleep()

    async def _sleep(self) -> None:
        async with self.db.reading() as session:
            due = await WebhookRepository(session).next_due()
        wait = 5.0 if due is None else min(5.0, max(0.0, (due - utcnow()).total_seconds()))
        self._wake.clear()
        if wait > 0:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except TimeoutError:
                pass

    async def round(self) -> int:
        """Send what is due now; returns how many were attempted."""
        now = utcnow()
        async with self.db.reading() as session:
            heads = await WebhookRepository(session).queue_heads(PER_ENDPOINT, PER_ROUND)
        queues: dict[str, list[tuple[WebhookDelivery, str, str, str]]] = defaultdict(list)
        for row in heads:
            queues[row[0].webhook_id].append(row)
        # an endpoint whose first delivery is backing off waits, and so does everything behind it
        queues = {hook: rows for hook, rows in queues.items() if rows[0][0].next_attempt_at <= now}
        if not queues:
            return 0
        lease = now + dt.timedelta(seconds=self.settings.webhook_timeout_s * (PER_ENDPOINT + 1))
        async with self.db.transaction() as session:
            claimed = await WebhookRepository(session).claim([r[0].seq for rows in queues.values() for r in rows], now, lease)
        queues = {hook: [r for r in rows if r[0].seq in claimed] for hook, rows in queues.items()}
        results = await asyncio.gather(*(self._send_in_order(rows) for rows in queues.values() if rows))
        outcomes = [o for batch in results for o in batch]
        await self._record(queues, outcomes)
        return len(outcomes)

    async def _send_in_order(self, rows: list[tuple[WebhookDelivery, str, str, str]]) -> list[Outcome]:
        outcomes = []
        for delivery, url, sealed, payload in rows:
            try:
                secret = unseal(sealed, self.settings.internal_secret)
            except InvalidTag:  # the suite's key changed since: the bureau must set a new secret
                outcomes.append(Outcome(delivery.seq, None, "the endpoint's secret cannot be read: set a new one", 0, utcnow()))
                break
            outcome = await self._post(delivery, url, secret, payload.encode())
            outcomes.append(outcome)
            if not outcome.ok:
                break  # the rest wait behind it
        return outcomes

    async def _post(self, delivery: WebhookDelivery, url: str, secret: str, body: bytes) -> Outcome:
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/cloudevents+json",
            "User-Agent": "tuoyu-webhooks/1",
            "X-Tuoyu-Delivery": str(delivery.seq),
            "X-Tuoyu-Event-Id": delivery.event_id,
            "X-Tuoyu-Event-Type": delivery.event_type,
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(secret, stamp, body),
        }
        started = time.perf_counter()
        at = utcnow()
        try:
            response = await self.http.post(url, content=body, headers=headers, timeout=self.settings.webhook_timeout_s, follow_redirects=False)
        except httpx.HTTPError as exc:
            return Outcome(delivery.seq, None, f"{type(exc).__name__}: {exc}"[:300], int((time.perf_counter() - started) * 1000), at)
        error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}: {response.text[:200]}"
        return Outcome(delivery.seq, response.status_code, error, int((time.perf_counter() - started) * 1000), at)

    async def _record(self, queues: dict[str, list[tuple[WebhookDelivery, str, str, str]]], outcomes: list[Outcome]) -> None:
        now = utcnow()
        async with self.db.transaction() as session:
            repo = WebhookRepository(session)
            sent = {o.seq for o in outcomes}
            await repo.release([d.seq for rows in queues.values() for d, *_ in rows if d.seq not in sent], now)  # behind a failure
            hooks, deliveries = await repo.locked_for_outcomes(list(queues), list(sent))
            for outcome in outcomes:  # in sending order, so a pause counts the failures as they came
                delivery = deliveries.get(outcome.seq)
                if delivery is not None and (hook := hooks.get(delivery.webhook_id)) is not None:
                    self._note(hook, delivery, outcome, now)

    def _note(self, hook: Webhook, delivery: WebhookDelivery, outcome: Outcome, now: dt.datetime) -> None:
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
        entry = {"at": outcome.at.isoformat(), "status_code": outcome.status_code, "error": outcome.error, "ms": outcome.ms}
        delivery.attempt_log = [*delivery.attempt_log, entry][-LOG_KEEP:]
        if outcome.ok:
            delivery.status, delivery.delivered_at = "delivered", outcome.at
            hook.failures_in_a_row = 0
            return
        delay = retry_delay_s(delivery.attempts, self.settings.webhook_retry_base_s, self.settings.webhook_retry_cap_s)
        delivery.next_attempt_at = now + dt.timedelta(seconds=delay)
        hook.failures_in_a_row += 1
        if hook.status == "active" and should_pause(hook.failures_in_a_row, self.settings.webhook_pause_after):
            hook.status, hook.paused_at = "paused", now
            hook.paused_reason = failure_reason(hook.failures_in_a_row, outcome.error or "")
            log.warning("webhook paused", webhook=hook.id, department=hook.department, region=hook.region, reason=hook.paused_reason)


async def send_webhooks(rt: Runtime) -> None:
    await WebhookSender(rt).run()
