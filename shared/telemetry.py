"""Traces (OpenTelemetry): when someone collects spans (`OTEL_EXPORTER_OTLP_ENDPOINT`, or a test's
processor) every process gets its own tracer provider, and incoming HTTP requests, outgoing httpx
calls and consumers' applies make spans; otherwise no span is made and nothing of the SDK is loaded,
but the W3C trace context still passes every hop. Either way it rides in each event's `traceparent`
(and its Kafka header) into the consumers."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
from fastapi import FastAPI
from opentelemetry import context, propagate, trace
from starlette.types import Receive, Scope, Send

from shared.asgi import HttpMiddleware

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

_extra_processors: list[SpanProcessor] = []


def add_span_processor(processor: SpanProcessor) -> None:
    """Also send every process's spans here (tests use an in-memory exporter)."""
    _extra_processors.append(processor)


def spans_collected() -> bool:
    """Whether anyone receives this process's spans: an OTLP endpoint, or a processor a test added."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or _extra_processors)


def tracer_provider(service: str) -> TracerProvider | None:
    """The process's tracer provider, or None when nobody collects spans."""
    if not spans_collected():
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"tuoyu-{service}"}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    for processor in _extra_processors:
        provider.add_span_processor(processor)
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider | None) -> None:
    """A server span per request when someone collects spans; otherwise only the W3C trace context
    passes through (`TraceContextMiddleware`): a span nobody receives costs a request as much as
    the hop through the gateway is allowed to."""
    if provider is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=provider, excluded_urls="/health,/ready,/metrics", exclude_spans=["receive", "send"]
        )
    else:
        app.add_middleware(TraceContextMiddleware)


def instrument_client(client: httpx.AsyncClient, provider: TracerProvider | None) -> None:
    """A client span per call when someone collects spans; otherwise the current trace context is
    only written into each call's headers."""
    if provider is not None:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
    else:
        client.event_hooks["request"].append(pass_trace_context_on)


async def pass_trace_context_on(request: httpx.Request) -> None:
    propagate.inject(request.headers)


class TraceContextMiddleware(HttpMiddleware):
    """Without span collection, each request's `traceparent` (a new trace when it brings none) is
    made current for the time it is answered, no span recorded, so that the calls made and the
    events written meanwhile carry the same trace on — every hop keeps it, as with spans."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"] if name in _TRACE_HEADERS}
        ctx = propagate.extract(carrier)
        if not trace.get_current_span(ctx).get_span_context().is_valid:
            ids = (secrets.randbits(128) or 1, secrets.randbits(64) or 1)  # W3C: all-zero ids are invalid
            started = trace.SpanContext(*ids, is_remote=False, trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED))
            ctx = trace.set_span_in_context(trace.NonRecordingSpan(started), ctx)
        token = context.attach(ctx)
        try:
            await self.app(scope, receive, send)
        finally:
            context.detach(token)


_TRACE_HEADERS = (b"traceparent", b"tracestate")


def trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, and `tracestate` if any)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def current_traceparent() -> str | None:
    return trace_headers().get("traceparent")


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
