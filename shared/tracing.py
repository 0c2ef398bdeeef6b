"""W3C trace context (`traceparent`) on every hop: the gateway starts a trace when the caller did
not, and every service passes it on in its calls and in the events it publishes."""

from __future__ import annotations

import secrets


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
