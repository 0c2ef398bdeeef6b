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
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/health,/ready,/metrics")


def instrument_client(client: httpx.AsyncClient, provider: TracerProvider) -> None:
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)


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
