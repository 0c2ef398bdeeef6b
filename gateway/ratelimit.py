"""The gateway's rate-limit middleware (ASGI): 429 problem+json with `Retry-After`. Where the caller's
token is read anyway, a disabled account's is refused (401), before its access token expires."""

from __future__ import annotations

import math

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.domain.ratelimit import TokenBuckets
from gateway.revocation import DisabledAccounts
from shared.asgi import HttpMiddleware
from shared.auth import Principal, TokenVerifier, unauthenticated
from shared.errors import Problem, send_problem

LIMITED_PREFIXES = ("/api/", "/auth/")


class RateLimitMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, buckets: TokenBuckets, verifier: TokenVerifier, disabled: DisabledAccounts) -> None:
        super().__init__(app)
        self.buckets, self.verifier, self.disabled = buckets, verifier, disabled

    def concerns(self, scope: Scope) -> bool:
        return scope["path"].startswith(LIMITED_PREFIXES)

    def _principal(self, scope: Scope) -> Principal | None:
        auth = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                return self.verifier.verify(token.strip())
            except Problem:
                pass  # an invalid token is limited like an anonymous caller; the service refuses it
        return None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = self._principal(scope)
        if principal is not None and principal.sub in self.disabled:
            await send_problem(unauthenticated("the account is disabled"), scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take("sub:" + principal.sub if principal else "addr:" + (client[0] if client else "unknown"))
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            await send_problem(Problem(429, "too-many-requests", "Too many requests", f"retry in {retry} s", headers={"Retry-After": retry}), scope, receive, send)
            return
        await self.app(scope, receive, send)
