"""The gateway's rate-limit middleware (ASGI): 429 problem+json with `Retry-After`."""

from __future__ import annotations

import math

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.domain.ratelimit import TokenBuckets
from shared.asgi import HttpMiddleware
from shared.auth import TokenVerifier
from shared.errors import Problem, send_problem

LIMITED_PREFIXES = ("/api/", "/auth/")


class RateLimitMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, buckets: TokenBuckets, verifier: TokenVerifier) -> None:
        super().__init__(app)
        self.buckets, self.verifier = buckets, verifier

    def concerns(self, scope: Scope) -> bool:
        return scope["path"].startswith(LIMITED_PREFIXES)

    def _subject(self, scope: Scope) -> str:
        auth = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                return "sub:" + self.verifier.verify(token.strip()).sub
            except Problem:
                pass  # an invalid token is limited like an anonymous caller; the service refuses it
        client = scope.get("client")
        return "addr:" + (client[0] if client else "unknown")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        wait = self.buckets.take(self._subject(scope))
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            await send_problem(Problem(429, "too-many-requests", "Too many requests", f"retry in {retry} s", headers={"Retry-After": retry}), scope, receive, send)
            return
        await self.app(scope, receive, send)
