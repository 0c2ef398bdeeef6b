"""`/api/<context>/…` → the service of that context, over one pooled HTTP client.

Only a fixed set of request headers is passed on, so identity headers a client made up never
reach a service; each service verifies the forwarded token itself.
"""

from __future__ import annotations

import httpx
import structlog
from fastapi import APIRouter, Request, Response

from shared.errors import Problem
from shared.requestid import current_request_id
from shared.service import ServiceRuntime

log = structlog.get_logger("tuoyu.gateway")
router = APIRouter(tags=["proxy"])

FORWARDED_REQUEST_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "accept-language",
    "idempotency-key",
    "traceparent",
    "tracestate",
    "if-match",
    "if-none-match",
)
RETURNED_RESPONSE_HEADERS = ("content-type", "content-disposition", "location", "etag", "retry-after", "www-authenticate", "link")


@router.api_route(
    "/api/{context}/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def forward(context: str, path: str, request: Request, rt: ServiceRuntime) -> Response:
    base = request.app.state.upstreams.get(context)
    if base is None:
        raise Problem(404, "not-found", "No such context", f"no service serves /api/{context}")
    body = await request.body()  # its size was checked on the way in (shared.limits)
    headers = {h: v for h in FORWARDED_REQUEST_HEADERS if (v := request.headers.get(h)) is not None}
    headers["x-request-id"] = current_request_id() or ""  # the trace context is added by the instrumented client
    # A request that cannot have changed anything twice may go again once if the connection broke.
    repeatable = request.method in ("GET", "PUT", "DELETE") or "idempotency-key" in headers
    try:
        for attempt in (1, 2):
            try:
                upstream = await rt.http.request(
                    request.method, f"{base}/{path}", params=request.query_params.multi_items(), content=body, headers=headers
                )
                break
            except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
                if attempt == 2 or not repeatable:
                    raise
    except httpx.TimeoutException as exc:
        log.warning("upstream timeout", context=context, error=repr(exc))
        raise Problem(504, "upstream-timeout", "The service did not answer in time", f"{context} timed out") from exc
    except httpx.TransportError as exc:
        log.warning("upstream unreachable", context=context, error=repr(exc))
        raise Problem(502, "upstream-failed", "The service is unreachable", f"{context} is unreachable") from exc
    returned = {h: v for h in RETURNED_RESPONSE_HEADERS if (v := upstream.headers.get(h)) is not None}
    return Response(upstream.content, status_code=upstream.status_code, headers=returned)
