"""One shape for the platform's ASGI middlewares: the HTTP requests one concerns go to its `handle`;
everything else (lifespan, requests it leaves alone) passes straight through."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def concerns(self, scope: Scope) -> bool:
        """Whether this HTTP request is one for this middleware (every one, unless it says)."""
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.concerns(scope):
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
