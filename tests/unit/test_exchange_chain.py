"""The evidence chain, as plain functions: intact, and each kind of tampering found."""

from __future__ import annotations

from inspection_svc.domain.exchange import compare_with_receipts, verify_stream
from shared.chain import GENESIS, chained, link


def stream(n: int) -> list[tuple[int, dict]]:
    items, prev = [], GENESIS
    for i in range(n):
        event = chained(prev, {"id": f"e{i}", "time": f"2026-11-0{i + 1}T08:00:00+00:00", "type": "t", "subject": f"s{i}", "data": {"n": i}})
        prev = event["chainhash"]
        items.append((i + 1, event))
    return items


def kinds(findings) -> list[tuple[str, int | None]]:  # type: ignore[no-untyped-def]
    return [(f.kind, f.position) for f in findings]


def test_an_intact_stream_verifies() -> None:
    assert verify_stream(stream(5)) == []


def test_an_altered_event_is_found() -> None:
    items = stream(5)
    items[2][1]["data"] = {"n": 99}
    assert kinds(verify_stream(items)) == [("altered", 3)]


def test_a_deleted_event_is_found() -> None:
    items = stream(5)
    del items[2]
    assert kinds(verify_stream(items)) == [("deleted", 4)]


def test_a_back_dated_forgery_is_found_even_when_rehashed() -> None:
    items = stream(4)
    forged = dict(items[2][1], time="2026-10-15T08:00:00+00:00")
    prev = items[1][1]["chainhash"]
    items[2] = (3, chained(prev, forged))
    items[3] = (4, chained(items[2][1]["chainhash"], items[3][1]))  # and the chain re-hashed after it
    assert kinds(verify_stream(items)) == [("back_dated", 3)]


def test_receipts_tell_a_rewritten_history() -> None:
    class Receipt:
        def __init__(self, chainhash: str) -> None:
            self.chainhash = chainhash

    items = stream(3)
    receipts = {e["id"]: Receipt(e["chainhash"]) for _, e in items}
    assert compare_with_receipts(items, receipts) == []
    rewritten = [(p, chained(GENESIS if p == 1 else items[p - 2][1]["chainhash"], {**e, "data": {"n": -1}} if p == 2 else e)) for p, e in items]
    assert ("altered_after_receipt", 2) in kinds(compare_with_receipts(rewritten, receipts))
    assert kinds(compare_with_receipts(items[:2], receipts)) == [("unknown_receipt", None)]
    assert kinds(compare_with_receipts(items, {})) == [("not_received", 1), ("not_received", 2), ("not_received", 3)]
    assert link(GENESIS, items[0][1]) == items[0][1]["chainhash"]
