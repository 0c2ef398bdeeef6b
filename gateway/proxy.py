"""`/api/<context>/…` → the service of that context (ASGI, the innermost middleware), over kept-alive
connections (shared.upstream).

Every request through the gateway pays this hop, and it is allowed 0.3× of a direct read (issue 9).
It is answered here, after the request id, metrics, body limit, trace context and rate limit, but
without FastAPI's routing, dependencies and request objects (a third of the gateway's time for a
forwarded request in py-spy). Paths of no service's context go on to the routes.

Only a fixed set of request headers is passed on, so identity headers a client made up never
reach a service; each service verifies the forwarded token itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.asgi import HttpMiddleware
from shared.errors import Problem, send_problem
from shared.requestid import current_request_id
from shared.telemetry import trace_headers
from shared.upstream import Upstreams, UpstreamTimeout, UpstreamUnreachable

log = structlog.get_logger("tuoyu.gateway")

# No trace headers among them: the gateway writes the trace context itself (the client's, continued).
FORWARDED_REQUEST_HEADERS = frozenset(
    (b"authorization", b"content-type", b"accept", b"accept-language", b"idempotency-key", b"if-match", b"if-none-match")
)
RETURNED_RESPONSE_HEADERS = frozenset(
    (b"content-type", b"content-disposition", b"location", b"etag", b"retry-after", b"www-authenticate", b"link", b"idempotent-replayed")
)
# what a path segment may hold unescaped (RFC 3986 pchar), so the service sees the path the client meant
PATH_SAFE = "/:@!$&'()*+,;=-._~"
FORWARDED_METHODS = frozenset(("GET", "POST", "PUT", "PATCH", "DELETE"))  # each answered with a body the hop reads
# A request that cannot have changed anything twice may go again, once, if the connection broke.
REPEATABLE_METHODS = frozenset(("GET", "PUT", "DELETE"))


@dataclass(frozen=True)
class ForwardedRoute:
    """The label of a forwarded request in the metrics (`scope["route"].path`, as a route's)."""

    path: str


class ProxyMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, upstreams: dict[str, str]) -> None:
        super().__init__(app)
        self.upstreams = upstreams  # context → the service's base URL

    def concerns(self, scope: Scope) -> bool:
        path = scope["path"]
        if not path.startswith("/api/") or scope["method"] not in FORWARDED_METHODS:
            return False
        context, slash, _ = path[len("/api/") :].partition("/")
        return bool(slash) and context in self.upstreams

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        context, _, path = scope["path"][len("/api/") :].partition("/")
        scope["route"] = ForwardedRoute(f"/api/{context}/{{path}}")
        body = await _body(receive)  # its size was checked on the way in (shared.limits)
        if body is None:
            return  # the client left before its request was read
        headers = [(name, value) for name, value in scope["headers"] if name in FORWARDED_REQUEST_HEADERS]
        headers.append((b"x-request-id", (current_request_id() or "").encode("latin-1")))
        # the trace this request is part of (the client's, or one begun here)
        headers.extend((name.encode("latin-1"), value.encode("latin-1")) for name, value in trace_headers().items())
        target = _target(scope, context, path)
        if query := scope["query_string"]:
            target += "?" + query.decode("latin-1")
        method = scope["method"]
        repeatable = method in REPEATABLE_METHODS or any(name == b"idempotency-key" and value.strip() for name, value in headers)
        try:
            pools: Upstreams = scope["app"].state.runtime.upstreams
            answer = await pools.pool(self.upstreams[context]).request(method, target, headers, body, repeatable=repeatable)
        except UpstreamTimeout as exc:
            log.warning("upstream timeout", context=context, error=str(exc))
            await send_problem(Problem(504, "upstream-timeout", "The service did not answer in time", f"{context} timed out"), scope, receive, send)
            return
        except UpstreamUnreachable as exc:
            log.warning("upstream unreachable", context=context, error=str(exc))
            await send_problem(Problem(502, "upstream-failed", "The service is unreachable", f"{context} is unreachable"), scope, receive, send)
            return
        base = self.upstreams[context].encode("latin-1")
        returned = [
            (name, _public_location(value, base, context) if name == b"location" else value)
            for name, value in answer.headers.items()
            if name in RETURNED_RESPONSE_HEADERS
        ]
        if answer.status not in (204, 304):  # RFC 9110 §8.6: no length on these
            returned.append((b"content-length", b"%d" % len(answer.body)))
        await send({"type": "http.response.start", "status": answer.status, "headers": returned})
        await send({"type": "http.response.body", "body": answer.body})


def _target(scope: Scope, context: str, path: str) -> str:
    """The path for the service as the client wrote it (an escaped `/` stays escaped), when the raw
    path agrees with the decoded one about the context; else the decoded path, escaped again."""
    parts = (scope.get("raw_path") or b"").split(b"/", 3)  # b"", b"api", context, the rest
    if len(parts) == 4 and parts[1] == b"api" and unquote(parts[2].decode("latin-1")) == context:
        return "/" + parts[3].decode("latin-1")
    return quote("/" + path, safe=PATH_SAFE)


def _public_location(location: bytes, base: bytes, context: str) -> bytes:
    """A redirect to the service's own address points at the same place behind the gateway."""
    if location.startswith(base):
        return f"/api/{context}".encode() + location[len(base) :]
    return location


async def _body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


