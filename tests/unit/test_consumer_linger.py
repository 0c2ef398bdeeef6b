"""When a consumer waits before its next fetch (`shared.inbox.Linger`): after a batch of several
fresh events at the head of a busy stream, never after a lone event, a full batch or a backlog's."""

from __future__ import annotations

from collections import namedtuple

from shared.inbox import Linger

Record = namedtuple("Record", "offset timestamp")
NOW_MS = 1_800_000_000_000.0


def batch(sizes: list[int], age_ms: float = 5.0) -> dict[str, list[Record]]:
    return {f"partition-{p}": [Record(i, NOW_MS - age_ms - (size - i)) for i in range(size)] for p, size in enumerate(sizes)}


def test_several_fresh_events_wait_the_fetch_wait() -> None:
    linger = Linger(0.02, from_events=4, full=500, fresh_s=1.0)
    assert linger.after(batch([4]), NOW_MS) == 0.02
    assert linger.after(batch([2, 3]), NOW_MS) == 0.02  # counted over the partitions
    assert linger.after(batch([499]), NOW_MS) == 0.02


def test_a_lone_event_a_full_batch_and_a_backlog_do_not_wait() -> None:
    linger = Linger(0.5, from_events=4, full=500, fresh_s=1.0)
    assert linger.after(batch([1]), NOW_MS) == 0.0  # a quiet stream: the next event is not kept waiting
    assert linger.after(batch([3]), NOW_MS) == 0.0
    assert linger.after(batch([300, 200]), NOW_MS) == 0.0  # full: more is likely waiting
    assert linger.after(batch([40], age_ms=linger.fresh_s * 1000 + 1), NOW_MS) == 0.0  # behind a backlog: flat out
    old, fresh = batch([40], age_ms=60_000), batch([1])
    assert linger.after({"partition-0": old["partition-0"], "partition-1": fresh["partition-0"]}, NOW_MS) == 0.5  # the newest decides
