"""What operators see: Prometheus metrics on every process, one trace from the gateway through the
registration service and the event into the health bureau's consumer, logs carrying request and
trace ids, readiness with the database and broker."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.telemetry import add_span_processor
from tests.factories import registration_body
from tests.integration.helpers import arrived, register
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually

SPANS = InMemorySpanExporter()
add_span_processor(SimpleSpanProcessor(SPANS))  # before any suite of this session starts


async def test_every_process_exposes_prometheus_metrics(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    await register(suite, token_for)
    await suite.http.post(suite.url("registration", "/v1/registrations"), json={"uscc": "bad"}, headers=token_for("minzheng", "441802"))
    text = (await suite.http.get(suite.url("registration", "/metrics"))).text
    assert 'tuoyu_http_requests_total{method="POST",route="/v1/registrations",service="registration",status="201"}' in text
    assert 'status="422"' in text
    assert "tuoyu_http_request_duration_seconds_bucket" in text
    for name in ("tuoyu_outbox_backlog", "tuoyu_outbox_oldest_age_seconds", "tuoyu_dead_letters_parked"):
        assert f'{name}{{service="registration"}}' in text
    inspection = (await suite.http.get(suite.url("inspection", "/metrics"))).text
    assert 'tuoyu_consumer_lag_events{consumer="inspection.health-inbox",source="registration"}' in inspection
    assert 'tuoyu_consumer_events{consumer="inspection.health-inbox",outcome="applied"}' in inspection
    assert 'tuoyu_same_month_push_rate{service="inspection"} 1.0' in inspection
    for service in ("gateway", "subsidy", "training"):
        assert "tuoyu_http_requests_total" in (await suite.http.get(suite.url(service, "/metrics"))).text


async def test_one_trace_from_the_gateway_into_the_consumer(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    SPANS.clear()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    body = registration_body("minzheng", "441821")
    headers = {**token_for("minzheng", "441821"), "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01", "X-Request-ID": "trace-test-1"}
    created = await suite.http.post(suite.url("gateway", "/api/registration/v1/registrations"), json=body, headers=headers)
    assert created.status_code == 201
    await arrived(suite, token_for, body["uscc"])

    def spans_of_trace() -> list:
        return [s for s in SPANS.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id]

    spans = await eventually(lambda: [s for s in spans_of_trace() if s.name.startswith("apply ")] and spans_of_trace(), what="the consumer's span")
    services = {s.resource.attributes["service.name"] for s in spans}
    assert {"tuoyu-gateway", "tuoyu-registration", "tuoyu-inspection"} <= services
    consumer = next(s for s in spans if s.name == "apply tuoyu.registration.institution.registered.v1")
    assert consumer.parent is not None and consumer.attributes["cloudevents.event_type"].endswith("registered.v1")


async def test_readiness_reports_database_and_broker(suite: InProcessSuite) -> None:
    for service in ("gateway", "registration", "inspection", "subsidy", "training"):  # the gateway reads every topic for the webhooks
        ready = (await suite.http.get(suite.url(service, "/ready"))).json()
        assert (ready["status"], ready["database"], ready["broker"]) == ("ok", "ok", "ok")
