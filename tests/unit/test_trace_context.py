"""Without span collection the W3C trace context still passes every hop: a request's traceparent
(or a new trace) is current while it is answered, and every call made meanwhile carries it on."""

from __future__ import annotations

import re

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.telemetry import TraceContextMiddleware, current_trace_id, current_traceparent, pass_trace_context_on

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")


def _app() -> Starlette:
    """An endpoint that calls a downstream service with a client passing the context on, and
    answers with what it saw and what the downstream call carried."""
    sent: list[httpx.Request] = []
    downstream = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204)),
        event_hooks={"request": [pass_trace_context_on]},
    )

    async def endpoint(request: Request) -> JSONResponse:
        await downstream.get("http://downstream.invalid/v1/x")
        return JSONResponse(
            {"current": current_traceparent(), "trace_id": current_trace_id(), "downstream": sent[-1].headers.get("traceparent")}
        )

    return Starlette(routes=[Route("/", endpoint)])


async def _ask(headers: dict[str, str]) -> dict:
    app = _app()
    app.add_middleware(TraceContextMiddleware)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.invalid") as client:
        return (await client.get("/", headers=headers)).json()


async def test_a_request_trace_is_carried_to_the_calls_it_makes() -> None:
    incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    seen = await _ask({"traceparent": incoming})
    assert seen["current"] == incoming and seen["downstream"] == incoming
    assert seen["trace_id"] == "0af7651916cd43dd8448eb211c80319c"  # what the logs carry


async def test_a_request_without_trace_starts_one() -> None:
    first, second = await _ask({}), await _ask({})
    match = TRACEPARENT.match(first["current"] or "")
    assert match is not None and first["downstream"] == first["current"] and first["trace_id"] == match.group(1)
    assert first["trace_id"] != second["trace_id"]  # a new trace each time


async def test_a_malformed_traceparent_starts_a_new_trace() -> None:
    seen = await _ask({"traceparent": "00-not-a-trace-01"})
    assert TRACEPARENT.match(seen["current"] or "") and seen["downstream"] == seen["current"]


async def test_outside_a_request_nothing_is_invented() -> None:
    assert current_traceparent() is None
