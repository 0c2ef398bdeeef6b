"""Traces (OpenTelemetry): every process gets its own tracer provider, exporting by OTLP when
`OTEL_EXPORTER_OTLP_ENDPOINT` is set. Incoming HTTP requests and outgoing httpx calls are
instrumented; the trace context rides in each event's `traceparent` (and its Kafka header) into the
consumers, whose spans continue the producer's trace."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI
from opentelemetry import context, propagate, trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from starlette.types import ASGIApp, Receive, Scope, Send

_extra_processors: list[SpanProcessor] = []


def add_span_processor(processor: SpanProcessor) -> None:
    """Also send every process's spans here (tests use an in-memory exporter)."""
    _extra_processors.append(processor)


def spans_collected() -> bool:
    """Whether anyone receives this process's spans: an OTLP endpoint, or a processor a test added."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or _extra_processors)


def tracer_provider(service: str) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": f"tuoyu-{service}"}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    for processor in _extra_processors:
        provider.add_span_processor(processor)
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    """A server span per request when someone collects spans; otherwise only the W3C trace context
    passes through (`TraceContextMiddleware`): a span nobody receives costs a request as much as
    the hop through the gateway is allowed to."""
    if spans_collected():
        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=provider, excluded_urls="/health,/ready,/metrics", exclude_spans=["receive", "send"]
        )
    else:
        app.add_middleware(TraceContextMiddleware)


def instrument_client(client: httpx.AsyncClient, provider: TracerProvider) -> None:
    """A client span per call when someone collects spans; otherwise the current trace context is
    only written into each call's headers."""
    if spans_collected():
        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
    else:
        client.event_hooks["request"].append(pass_trace_context_on)


async def pass_trace_context_on(request: httpx.Request) -> None:
    propagate.inject(request.headers)


class TraceContextMiddleware:
    """Without span collection, each request's `traceparent` (a new trace when it brings none) is
    made current for the time it is answered, no span recorded, so that the calls made and the
    events written meanwhile carry the same trace on — every hop keeps it, as with spans."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"] if name in _TRACE_HEADERS}
        ctx = propagate.extract(carrier)
        if not trace.get_current_span(ctx).get_span_context().is_valid:
            started = trace.SpanContext(_ids.generate_trace_id(), _ids.generate_span_id(), is_remote=False, trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED))
            ctx = trace.set_span_in_context(trace.NonRecordingSpan(started), ctx)
        token = context.attach(ctx)
        try:
            await self.app(scope, receive, send)
        finally:
            context.detach(token)


_TRACE_HEADERS = (b"traceparent", b"tracestate")
_ids = RandomIdGenerator()


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


@contextlib.contextmanager
def consuming(tracer: trace.Tracer | None, event: Any) -> Iterator[None]:
    """A consumer span for applying `event`, continuing the trace it was published in. Without a
    tracer (nobody collects spans, and one per event costs as much as a third of applying it) only
    the producer's context is made current, so what the handler publishes stays in that trace."""
    parent = propagate.extract({"traceparent": event.traceparent}) if event.traceparent else None
    if tracer is None:
        token = context.attach(parent) if parent is not None else None
        try:
            yield
        finally:
            if token is not None:
                context.detach(token)
        return
    attributes = {"messaging.system": "kafka", "cloudevents.event_id": str(event.id), "cloudevents.event_type": event.type}
    with tracer.start_as_current_span(f"apply {event.type}", context=parent, kind=trace.SpanKind.CONSUMER, attributes=attributes):
        yield
