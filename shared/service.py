"""The skeleton every service of the suite is built on (DESIGN §2).

`create_service_app` gives each service the same outside: problem+json errors, `X-Request-ID`,
token verification, `GET /health`, the outbox feed `GET /v1/events`, the dead-letter admin
endpoints, and a lifespan that starts the outbox relay and the service's consumers. A service adds
its own routers and event handlers; it never re-implements any of this.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import sqlalchemy as sa
import structlog
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import trail
from shared.auth import ServiceToken, TokenVerifier, require_roles
from shared.bus import Bus, ensure_topics
from shared.db import Database
from shared.errors import Problem, install_problem_handlers, not_found
from shared.events.catalogue import CATALOGUE
from shared.feed import FeedClient, feed_router
from shared.idempotency import IdempotencyMiddleware, Replayed, claim_for_write, mark_applied
from shared.inbox import CatchUpHook, EventConsumer, Handler, ReplayFailed
from shared.limits import BodyLimitMiddleware
from shared.logging import configure_logging
from shared.metrics import ExtraGauges, Metrics, MetricsMiddleware
from shared.outbox import OutboxRelay
from shared.requestid import RequestIdMiddleware
from shared.settings import (
    HTTP_CONNECT_TIMEOUT_S,
    HTTP_KEEPALIVE_EXPIRY_S,
    HTTP_MAX_CONNECTIONS,
    HTTP_READ_TIMEOUT_S,
    Settings,
    get_settings,
)
from shared.tables import PlatformTables
from shared.telemetry import instrument_app, instrument_client, tracer_provider
from shared.upstream import Upstreams

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

log = structlog.get_logger("tuoyu.service")


@dataclass(frozen=True)
class ConsumerSpec:
    """A consumer group of a service: its name (`<service>.<purpose>`), handlers by event type,
    what to do when a scheduled catch-up from the feeds found events the broker had not
    delivered, and whether someone waits on it (`prompt`: polled at the short fetch wait)."""

    name: str
    handlers: dict[str, Handler]
    on_catch_up: CatchUpHook | None = None
    prompt: bool = False


@dataclass(frozen=True)
class Job:
    """Work a service does on a schedule (every `jobs_interval_s`) and on an admin's demand. It
    must be safe to run twice at once (replicas each run it)."""

    name: str
    run: Callable[[Runtime], Awaitable[Any]]


# Work that runs for as long as the service does (the gateway's webhook sender), given the runtime.
Worker = Callable[["Runtime"], Awaitable[None]]


class Runtime:
    """What a running service holds: database, Kafka, HTTP client, relay, consumers and workers."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        tables: PlatformTables | None,
        consumers: Sequence[ConsumerSpec],
        jobs: Sequence[Job] = (),
        tracing: TracerProvider | None = None,
        workers: Sequence[Worker] = (),
    ) -> None:
        self.name = name
        self.jobs = {job.name: job for job in jobs}
        self.workers = workers
        self.settings = settings
        self.tables = tables
        self.db = Database(settings.database_url(name))
        self.bus = Bus(settings, client_id=f"{name}-svc")
        # Idle connections are dropped long before the servers' keep-alive ends them (the suite's
        # servers keep SERVER_KEEP_ALIVE_S; uvicorn's own default is 5 s), so a request is never
        # written into a connection the other side is closing.
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(HTTP_READ_TIMEOUT_S, connect=HTTP_CONNECT_TIMEOUT_S),
            limits=httpx.Limits(max_connections=HTTP_MAX_CONNECTIONS, keepalive_expiry=HTTP_KEEPALIVE_EXPIRY_S),
        )
        instrument_client(self.http, tracing)
        self.upstreams = Upstreams()  # the gateway's hop to the services (only it forwards)
        self.relay: OutboxRelay | None = None
        self.consumers: dict[str, EventConsumer] = {}
        if tables is not None:
            self.relay = OutboxRelay(self.db, tables, self.bus, settings)
            sources = {CATALOGUE[t].producer for spec in consumers for t in spec.handlers}
            feeds = None
            if sources:
                token = ServiceToken(self.http, settings.gateway_url, name, settings.internal_secret)
                feeds = FeedClient(self.http, token, {s: settings.service_url(s) for s in sources})
            for spec in consumers:
                self.consumers[spec.name] = EventConsumer(
                    spec.name,
                    spec.handlers,
                    db=self.db,
                    tables=tables,
                    bus=self.bus,
                    settings=settings,
                    feeds=feeds,
                    on_catch_up=spec.on_catch_up,
                    fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms if spec.prompt else settings.kafka_background_fetch_max_wait_ms,
                    tracer=tracing.get_tracer("tuoyu.consumer") if tracing is not None else None,
                )
        self._tasks: list[asyncio.Task[Any]] = []

    @property
    def topics(self) -> list[str]:
        """Topics this service writes to or reads from."""
        produced = [s.topic for s in CATALOGUE.values() if s.producer == self.name]
        consumed = [t for c in self.consumers.values() for t in c.topics]
        return sorted(set(produced + consumed))

    async def start(self) -> None:
        if self.relay is None:
            return
        topics = asyncio.create_task(self._ensure_topics(), name=f"{self.name}-topics")
        self._tasks.append(topics)
        # Publishing or subscribing before the topics exist would have the broker make them with its
        # own partition count; so the relay and the consumers start once they are there.
        self._tasks.append(asyncio.create_task(self._after(topics, self.relay.run), name=f"{self.name}-relay"))
        for consumer in self.consumers.values():
            self._tasks.append(asyncio.create_task(self._after(topics, consumer.run), name=consumer.name))
        for job in self.jobs.values():
            self._tasks.append(asyncio.create_task(self._every(job), name=f"{self.name}-{job.name}"))
        for worker in self.workers:
            self._tasks.append(asyncio.create_task(worker(self), name=f"{self.name}-{getattr(worker, '__name__', 'worker')}"))

    @staticmethod
    async def _after(first: asyncio.Task[None], run: Callable[[], Awaitable[None]]) -> None:
        await asyncio.shield(first)
        await run()

    async def _every(self, job: Job) -> None:
        while True:
            await asyncio.sleep(self.settings.jobs_interval_s)
            try:
                await job.run(self)
            except Exception as exc:  # noqa: BLE001 - the next round tries again
                log.warning("job failed", job=job.name, error=repr(exc)[:300])

    async def _ensure_topics(self) -> None:
        # The broker may be down at start-up: keep trying in the background, never block serving.
        delay = 0.5
        while True:
            try:
                await ensure_topics(self.settings, self.topics)
                return
            except Exception as exc:  # noqa: BLE001
                log.warning("cannot reach the broker yet", error=repr(exc)[:200], retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 15.0)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.bus.close()
        await self.http.aclose()
        self.upstreams.close()
        await self.db.dispose()


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def _runtime(request: Request) -> Runtime:
    # A coroutine, so that FastAPI does not hop to its thread pool to read an attribute.
    return runtime(request)


async def _write_session(request: Request) -> AsyncIterator[AsyncSession]:
    rt = runtime(request)
    claim = await claim_for_write(request, rt.db, rt.tables.idempotency_key if rt.tables else None)
    async with rt.db.transaction() as session:
        if claim is not None:
            await mark_applied(claim, session)  # with the write, or rolled back with it
        yield session


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with runtime(request).db.reading() as session:
        yield session


# One transaction per request, committed when the endpoint returns and before the response is
# sent, so a failed commit answers as an error instead of a success that did not happen.
WriteSession = Annotated[AsyncSession, Depends(_write_session, scope="function")]
ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
ServiceRuntime = Annotated[Runtime, Depends(_runtime)]


class Health(BaseModel):
    service: str
    status: str
    database: str
    broker: str
    outbox_backlog: int | None = None


async def _database_state(rt: Runtime) -> str:
    try:
        async with rt.db.reading() as session:
            await session.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception as exc:  # noqa: BLE001 - a state to report, not an error to raise
        return f"down: {type(exc).__name__}"


async def _broker_state(rt: Runtime) -> str:
    """Whether one of the bootstrap brokers accepts a connection (the gateway uses none)."""
    if rt.tables is None:
        return "not used"
    for address in rt.settings.kafka_bootstrap.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host or "127.0.0.1", int(port)), timeout=1.0)
        except (OSError, TimeoutError, ValueError):
            continue
        writer.close()
        return "ok"
    return "down: no bootstrap broker answers"


class AuditEntry(BaseModel):
    at: dt.datetime
    actor: str
    department: str | None
    region: str | None
    action: str
    detail: dict[str, Any] | None
    request_id: str | None


class DeadLetterRead(BaseModel):
    id: int
    consumer: str
    event_id: str
    type: str
    topic: str
    partition: int | None
    offset: int | None
    error: str
    attempts: int
    status: str
    parked_at: Any
    replayed_at: Any


def _admin_router(tables: PlatformTables) -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[require_roles("admin")])
    dead = tables.dead_letter

    @router.get("/dead-letters", summary="Events parked after their retries")
    async def list_dead_letters(
        session: ReadSession,
        status: Annotated[str, Query(pattern="^(parked|replayed)$")] = "parked",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, list[DeadLetterRead]]:
        rows = (await session.execute(sa.select(dead).where(dead.c.status == status).order_by(dead.c.id).limit(limit))).mappings()
        return {"items": [DeadLetterRead.model_validate(dict(r)) for r in rows]}

    @router.post("/dead-letters/{dead_letter_id}/replay", summary="Apply a parked event again, once")
    async def replay_dead_letter(dead_letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)], rt: ServiceRuntime) -> dict[str, Any]:
        async with rt.db.reading() as session:
            consumer_name = (await session.execute(sa.select(dead.c.consumer).where(dead.c.id == dead_letter_id))).scalar()
        if consumer_name is None or consumer_name not in rt.consumers:
            raise not_found("dead letter", str(dead_letter_id))
        try:
            applied = await rt.consumers[consumer_name].replay(dead_letter_id)
        except ReplayFailed as exc:
            raise Problem(409, "replay-failed", "The event still fails", str(exc)[:1000]) from exc
        return {"id": dead_letter_id, "status": "replayed", "applied": applied}

    @router.get("/consumers", summary="Each consumer's topics and what it has seen since the process started")
    async def consumers(rt: ServiceRuntime) -> dict[str, Any]:
        return {name: {"topics": c.topics, **c.stats} for name, c in rt.consumers.items()}

    @router.get("/audit", summary="The audit trail of a record")
    async def audit_trail(entity: str, key: str, session: ReadSession) -> dict[str, list[AuditEntry]]:
        return {"items": [AuditEntry.model_validate(e) for e in await trail(session, tables, entity, key)]}

    @router.post("/jobs/{job_name}", summary="Run one of the service's periodic jobs now")
    async def run_job(job_name: str, rt: ServiceRuntime) -> dict[str, Any]:
        if job_name not in rt.jobs:
            raise not_found("job", job_name)
        return {"job": job_name, "result": await rt.jobs[job_name].run(rt)}

    return router


def create_service_app(
    name: str,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    tables: PlatformTables | None,
    consumers: Sequence[ConsumerSpec] = (),
    jobs: Sequence[Job] = (),
    workers: Sequence[Worker] = (),
    settings: Settings | None = None,
    docs: bool = True,
    extra_metrics: ExtraGauges | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    if problems := settings.unsafe_for_production(signs_tokens=name == "gateway"):
        raise RuntimeError("refusing to start in production: " + "; ".join(problems))
    configure_logging(settings.log_level)
    verifier = TokenVerifier(settings.jwt_public_key, issuer=settings.jwt_issuer, audience=settings.jwt_audience)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = Runtime(name, settings, tables, consumers, jobs, tracing, workers)
        app.state.runtime = rt
        await rt.start()
        log.info("service started", service=name)
        try:
            yield
        finally:
            await rt.stop()

    # The gateway serves the merged documents at /docs and /openapi.json; its own stays reachable.
    urls = {} if docs else {"docs_url": None, "redoc_url": None, "openapi_url": "/openapi-gateway.json"}
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan, **urls)
    app.state.verifier = verifier
    app.state.settings = settings
    metrics = Metrics(name, extra_metrics)
    tracing = tracer_provider(name)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    instrument_app(app, tracing)
    install_problem_handlers(app)
    app.add_exception_handler(Replayed, lambda _request, replayed: replayed.response())

    # The service's own routes first: a request is matched against the routes in order, and its
    # business calls are the many (health, metrics, the feed and the admin routes come after).
    for router in routers:
        app.include_router(router)

    @app.get("/health", tags=["health"], response_model=Health, summary="Liveness: the process answers")
    async def health(request: Request) -> Health:
        rt = runtime(request)
        return Health(service=name, status="ok", database=await _database_state(rt), broker=await _broker_state(rt))

    @app.get("/ready", tags=["health"], response_model=Health, summary="Readiness: its database and broker answer")
    async def ready(request: Request) -> JSONResponse:
        rt = runtime(request)
        body = Health(service=name, status="ok", database=await _database_state(rt), broker=await _broker_state(rt))
        if body.database != "ok" or body.broker not in ("ok", "not used"):
            body.status = "unready"
        elif rt.relay is not None:
            body.outbox_backlog = await rt.relay.backlog()
        return JSONResponse(body.model_dump(), status_code=200 if body.status == "ok" else 503)

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    async def prometheus(request: Request) -> Response:
        return Response(await metrics.render(runtime(request)), media_type=CONTENT_TYPE_LATEST)

    if tables is not None:
        app.include_router(feed_router(tables))
        app.include_router(_admin_router(tables))
    return app
