"""Verifying the exchange (registrar → health bureau) from evidence alone: the producer's hash
chain of each stream, and what the health bureau recorded as it received each event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shared.chain import GENESIS, link


@dataclass(frozen=True)
class Finding:
    kind: str  # altered | deleted | back_dated | not_received | altered_after_receipt | unknown_receipt
    position: int | None
    event_id: str | None
    detail: str


def verify_stream(items: list[tuple[int, dict[str, Any]]]) -> list[Finding]:
    """Check one stream's chain, in feed order: every link, every hash, time never going back."""
    found: list[Finding] = []
    prev, prev_time = GENESIS, None
    for position, event in items:
        if event.get("chainprev") != prev:
            found.append(Finding("deleted", position, event.get("id"), f"chain broken before this event: expected previous {prev[:12]}…"))
        if event.get("chainhash") != link(event.get("chainprev") or "", event):
            found.append(Finding("altered", position, event.get("id"), "the event no longer matches its hash"))
        time = dt.datetime.fromisoformat(event["time"])
        if prev_time is not None and time < prev_time:
            found.append(Finding("back_dated", position, event.get("id"), f"dated {time.isoformat()}, before the event preceding it ({prev_time.isoformat()})"))
        prev, prev_time = event.get("chainhash") or "", time
    return found


def compare_with_receipts(events: list[tuple[int, dict[str, Any]]], receipts: dict[str, Any]) -> list[Finding]:
    """Each event the producer claims against what the health bureau recorded receiving."""
    found = []
    for position, event in events:
        receipt = receipts.get(event["id"])
        if receipt is None:
            found.append(Finding("not_received", position, event["id"], "the health bureau has no record of receiving it"))
        elif receipt.chainhash != event.get("chainhash"):
            found.append(Finding("altered_after_receipt", position, event["id"], "the producer's copy differs from what was received"))
    claimed = {e["id"] for _, e in events}
    for event_id in sorted(set(receipts) - claimed):
        found.append(Finding("unknown_receipt", None, event_id, "received, but no longer in the producer's stream"))
    return found
