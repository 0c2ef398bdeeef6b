"""When a consumer commits its offsets: applied offsets wait for the interval while the consumer
is busy, go at once when it is idle, and only for partitions it still holds."""

from __future__ import annotations

from types import SimpleNamespace

from aiokafka.structs import OffsetAndMetadata, TopicPartition

from shared.inbox import PendingOffsets

A, B = TopicPartition("tuoyu.registration.institution", 0), TopicPartition("tuoyu.registration.kindergarten_class", 0)


def batch(tp: TopicPartition, *offsets: int) -> dict[TopicPartition, list[SimpleNamespace]]:
    return {tp: [SimpleNamespace(offset=o) for o in offsets]}


def test_busy_consumer_waits_for_the_interval_then_commits_the_next_offset() -> None:
    pending = PendingOffsets(interval_s=3600)
    pending.applied(batch(A, 4, 5, 6))
    assert pending.due(frozenset({A})) == {}  # busy, interval not over: nothing yet
    pending.applied(batch(A, 7))
    assert pending.due(frozenset({A}), idle=True) == {A: OffsetAndMetadata(8, "")}  # the one after the last applied
    assert pending.due(frozenset({A}), idle=True) == {}  # committed once


def test_after_the_interval_a_busy_consumer_commits() -> None:
    pending = PendingOffsets(interval_s=0)
    pending.applied(batch(A, 1))
    assert pending.due(frozenset({A})) == {A: OffsetAndMetadata(2, "")}


def test_only_partitions_still_assigned_are_committed() -> None:
    pending = PendingOffsets(interval_s=0)
    pending.applied({**batch(A, 1), **batch(B, 9)})
    assert pending.due(frozenset({B})) == {B: OffsetAndMetadata(10, "")}  # A went to another member: its offsets are its own now
    assert pending.due(frozenset({A, B}), idle=True) == {}
