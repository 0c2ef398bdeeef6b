"""The gateway's rate-limit middleware (ASGI): 429 problem+json with `Retry-After`."""

from __future__ import annotations

import math

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.domain.ratelimit import TokenBuckets
from shared.auth import TokenVerifier
from shared.errors import Problem, problem_response

LIMITED_PREFIXES = ("/api/", "/auth/")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, buckets: TokenBuckets, verifier: TokenVerifier) -> None:
        self.app, self.buckets, self.verifier = app, buckets, verifier

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(self._subject(scope))
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            response = problem_response(Problem(429, "too-many-requests", "Too many requests", f"retry in {retry} s", headers={"Retry-After": retry}))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
