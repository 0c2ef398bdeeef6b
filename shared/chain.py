"""The evidence chain of the exchange (the push to the health bureau is an audited duty): each
producer links the events of a stream (topic) by hash, in the order it published them.

    chainhash = sha256_hex(chainprev + "\\n" + sha256_hex(canonical JSON of the event without
                                                          its chainprev and chainhash))

with `chainprev` the previous event's `chainhash` on the same stream (64 zeros for the first) and
the canonical JSON being the event's keys sorted, no spaces. A deleted event breaks the next
event's `chainprev`; an altered one no longer matches its `chainhash`; a re-hashed forgery no
longer matches what the receiving side recorded when it arrived.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

GENESIS = "0" * 64
CHAIN_KEYS = ("chainprev", "chainhash")


def content_hash(event: dict[str, Any]) -> str:
    content = {k: v for k, v in event.items() if k not in CHAIN_KEYS}
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def link(prev: str, event: dict[str, Any]) -> str:
    return hashlib.sha256(f"{prev}\n{content_hash(event)}".encode()).hexdigest()


def chained(prev: str, event: dict[str, Any]) -> dict[str, Any]:
    """The event with its place in the chain."""
    return {**event, "chainprev": prev, "chainhash": link(prev, event)}
