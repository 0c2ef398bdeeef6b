"""Prometheus metrics of a process: requests (rate, latency, errors), the outbox (backlog, age of
the oldest unpublished event), dead letters, and each consumer's lag — counted as the producer's
feed positions this consumer has not applied (true on any broker) and, where the broker's offsets
can be trusted (Apache Kafka), the offsets it is behind."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.asgi import HttpMiddleware
from shared.db import utcnow

if TYPE_CHECKING:
    from shared.service import Runtime

# Extra, service-specific gauges: name → (help, how to read it).
ExtraGauges = dict[str, tuple[str, Callable[["Runtime"], Awaitable[float]]]]


class Metrics:
    def __init__(self, service: str, extra: ExtraGauges | None = None) -> None:
        self.registry = CollectorRegistry()
        labels = {"registry": self.registry}
        self.requests = Counter("tuoyu_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"], **labels)
        self.latency = Histogram(
            "tuoyu_http_request_duration_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            **labels,
        )
        self.outbox_backlog = Gauge("tuoyu_outbox_backlog", "events written but not yet published", ["service"], **labels)
        self.outbox_age = Gauge("tuoyu_outbox_oldest_age_seconds", "age of the oldest unpublished event", ["service"], **labels)
        self.dead_letters = Gauge("tuoyu_dead_letters_parked", "events parked after their retries", ["service"], **labels)
        self.consumer_lag = Gauge(
            "tuoyu_consumer_lag_events", "producer feed events this consumer has not applied (any broker)", ["consumer", "source"], **labels
        )
        self.broker_lag = Gauge("tuoyu_consumer_broker_lag_messages", "Kafka offsets behind the high watermark (Apache Kafka)", ["consumer"], **labels)
        self.consumed = Gauge("tuoyu_consumer_events", "events seen by this process's consumers", ["consumer", "outcome"], **labels)
        self.extra = {name: (Gauge(name, help_, ["service"], **labels), read) for name, (help_, read) in (extra or {}).items()}
        self.service = service
        # the labelled series of each (method, route, status): looked up once, not twice a request
        self._answered: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def answered(self, method: str, route: str, status: int, seconds: float) -> None:
        if (series := self._answered.get((method, route, status))) is None:
            series = self._answered[(method, route, status)] = (
                self.requests.labels(self.service, method, route, str(status)),
                self.latency.labels(self.service, method, route),
            )
        series[0].inc()
        series[1].observe(seconds)

    async def render(self, rt: Runtime) -> bytes:
        """Read the gauges now (the database and the producers are asked at scrape time)."""
        if rt.tables is not None:
            outbox, dead = rt.tables.outbox, rt.tables.dead_letter
            async with rt.db.reading() as session:
                backlog, oldest = (
                    await session.execute(
                        sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
                    )
                ).one()
                parked = (await session.execute(sa.select(sa.func.count()).where(dead.c.status == "parked"))).scalar_one()
            self.outbox_backlog.labels(self.service).set(backlog)
            self.outbox_age.labels(self.service).set((utcnow() - oldest).total_seconds() if oldest else 0)
            self.dead_letters.labels(self.service).set(parked)
        for name, consumer in rt.consumers.items():
            for source, behind in (await consumer.lag()).items():
                self.consumer_lag.labels(name, source).set(behind)
            self.broker_lag.labels(name).set(consumer.stats.get("broker_lag", 0))
            for outcome in ("delivered", "applied", "duplicates", "parked"):
                self.consumed.labels(name, outcome).set(consumer.stats[outcome])
        for gauge, read in self.extra.values():
            gauge.labels(self.service).set(await read(rt))
        return generate_latest(self.registry)


class MetricsMiddleware(HttpMiddleware):
    """Counts and times every request by method, route template and status (ASGI)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    def concerns(self, scope: Scope) -> bool:
        return scope["path"] != "/metrics"

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.answered(scope["method"], route, status, time.perf_counter() - started)
