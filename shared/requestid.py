"""`X-Request-ID` on every hop: taken from the caller when it is sane, made up otherwise, echoed in
the response, bound to every log line, and passed on in outgoing HTTP calls and event headers."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import Message, Receive, Scope, Send

from shared.asgi import HttpMiddleware

HEADER = "x-request-id"
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(value: str | None) -> str:
    """Use `value` when it is a sane id, else a new one; returns the id now in force."""
    rid = value if value and _SANE.match(value) else uuid.uuid4().hex
    _request_id.set(rid)
    return rid


class RequestIdMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        rid = bind_request_id(incoming).encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid)]
            await send(message)

        await self.app(scope, receive, send_with_id)
