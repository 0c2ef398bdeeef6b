"""Refuse hostile input before any handler parses it (ASGI): oversized bodies, absurdly nested
JSON, and NUL characters (no text of the suite contains one, and PostgreSQL refuses them)."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.asgi import HttpMiddleware
from shared.errors import Problem, send_problem

_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether brackets nest deeper than `limit` (strings and escapes skipped)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # not enough brackets to nest that deep: no need to follow them one by one
    depth, in_string, escaped = 0, False, False
    for match in _STRUCTURE.finditer(body):
        char = match.group()
        if in_string:
            if escaped:
                escaped = False
            elif char == b"\\":
                escaped = True
            elif char == b'"':
                in_string = False
            continue
        if char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


class BodyLimitMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, max_bytes: int, max_json_depth: int = 32) -> None:
        super().__init__(app)
        self.max_bytes, self.max_depth = max_bytes, max_json_depth

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope["path"]:
            await self._refuse(scope, receive, send, 400, "nul-character", "NUL character in the request", "text may not contain U+0000")
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send, 413, "payload-too-large", "Request body too large", f"at most {self.max_bytes} bytes")
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, 413, "payload-too-large", "Request body too large", f"at most {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"")
        textual = b"json" in content_type or b"x-www-form-urlencoded" in content_type
        if textual and (b"\x00" in body or b"\\u0000" in body or b"%00" in body):
            await self._refuse(scope, receive, send, 400, "nul-character", "NUL character in the request", "text may not contain U+0000")
            return
        if b"json" in content_type and json_depth_exceeds(body, self.max_depth):
            await self._refuse(scope, receive, send, 400, "json-too-deep", "JSON nested too deeply", f"at most {self.max_depth} levels")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, slug: str, title: str, detail: str) -> None:
        await send_problem(Problem(status, slug, title, detail), scope, receive, send)
