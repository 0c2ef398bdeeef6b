"""`tuoyu subscribe`: a bureau's events (订阅), one JSON line each, at least once.

Two ways in, one way out:
- Kafka (the fast path): the bureau's own consumer group `<department>.<region>.<purpose>`, on
  the topics its department may read. Kafka cannot tell one county's events from another's, so it
  is for city offices; county offices read through the feed.
- the feeds (`--from-feed`): each producing service's `GET /v1/events` through the gateway, with
  the bureau's client credentials; the service itself keeps to the table of readers and the region.

Each event is printed on stdout (or handed to `--exec`) first, and only then checkpointed: a crash
in between repeats it, never loses it. The checkpoint is a local file because the embedded broker
forgets committed offsets when it restarts; in Kafka mode offsets are committed too, and on every
assignment the consumer seeks to what the file says.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import orjson
import structlog
from aiokafka import ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from shared.auth import ClientToken
from shared.bus import Bus, bureau_principal
from shared.events.catalogue import TOPICS, producer_of
from shared.feed import FeedClient
from shared.regions import CITY
from shared.settings import Settings
from shared.subscriptions import GROUP, may_read, readable_topics

log = structlog.get_logger("tuoyu.subscribe")

FEED_POLL_S = 1.0  # how long the feed mode waits when every feed is read to its end
FEED_PAGE = 200
EXEC_BACKOFF_S = (1.0, 2.0, 5.0, 15.0, 60.0)  # then every minute until the command succeeds


class Refused(Exception):
    """The subscription asked for is not allowed; the message says why."""


@dataclass(frozen=True)
class Subscription:
    group: str
    topics: tuple[str, ...]
    department: str
    region: str


def subscription_for(group: str, topics: list[str]) -> Subscription:
    """The group by the convention and the topics its department may read (all of them when none
    are named); refused otherwise, with the reason."""
    named = GROUP.match(group)
    if named is None:
        raise Refused(f"consumer group {group!r} does not follow the convention <department>.<region>.<purpose>, e.g. gongan.441821.roster")
    department, region = named["department"], named["region"]
    if unknown := [t for t in topics if t not in TOPICS]:
        raise Refused(f"no such topic: {', '.join(unknown)} (the topics are {', '.join(TOPICS)})")
    if refused := [t for t in topics if not may_read(department, t)]:
        raise Refused(f"{department} may not read {', '.join(refused)} (the table of readers: shared/subscriptions.py)")
    chosen = tuple(topics) or readable_topics(department)
    if not chosen:
        raise Refused(f"{department} may read no topic")
    return Subscription(group, chosen, department, region)


def check_owner(subscription: Subscription, department: str | None, region: str) -> None:
    """A bureau names groups after itself only: the group's department and region must be the account's."""
    if (subscription.department, subscription.region) != (department, region):
        raise Refused(
            f"consumer group {subscription.group} belongs to {subscription.department}.{subscription.region}, "
            f"but this account is {department}-{region}: name the group {department}.{region}.<purpose>"
        )


@dataclass
class Checkpoint:
    """How far this subscriber has delivered: Kafka offsets (`topic:partition` → next offset) and
    feed positions (producing service → last position)."""

    path: Path
    kafka: dict[str, int] = field(default_factory=dict)
    feed: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        if not path.exists():
            return cls(path)
        saved = orjson.loads(path.read_bytes())
        return cls(path, dict(saved.get("kafka", {})), dict(saved.get("feed", {})))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_bytes(orjson.dumps({"kafka": self.kafka, "feed": self.feed}, option=orjson.OPT_SORT_KEYS))
        os.replace(scratch, self.path)  # whole or not at all, even when killed mid-write


@dataclass
class Output:
    """Where events go: a JSON line on stdout, or the stdin of `command` run once per event (exit 0 =
    delivered; anything else is retried with back-off, and the subscriber waits)."""

    out: IO[bytes]
    command: str | None = None
    backoff_s: tuple[float, ...] = EXEC_BACKOFF_S

    async def deliver(self, event: dict[str, Any]) -> None:
        line = orjson.dumps(event) + b"\n"
        if self.command is None:
            self.out.write(line)
            self.out.flush()
            return
        attempt = 0
        while (code := await self._run(line)) != 0:
            delay = self.backoff_s[min(attempt, len(self.backoff_s) - 1)]
            attempt += 1
            log.warning("command failed, retrying", command=self.command, exit_code=code, event_id=event.get("id"), attempt=attempt, retry_in_s=delay)
            await asyncio.sleep(delay)

    async def _run(self, line: bytes) -> int:
        process = await asyncio.create_subprocess_shell(self.command, stdin=asyncio.subprocess.PIPE)  # type: ignore[arg-type]
        await process.communicate(line)
        return process.returncode or 0


@dataclass
class Stop:
    """When to stop: after `max_events`, or after `idle_exit_s` without an event (None = never)."""

    max_events: int | None = None
    idle_exit_s: float | None = None
    delivered: int = 0
    _last: float = field(default_factory=time.monotonic)

    def count(self) -> None:
        self.delivered += 1
        self.awake()

    def awake(self) -> None:
        """Something happened that is not idleness (an event, or partitions assigned after a join)."""
        self._last = time.monotonic()

    @property
    def reached(self) -> bool:
        if self.max_events is not None and self.delivered >= self.max_events:
            return True
        return self.idle_exit_s is not None and time.monotonic() - self._last >= self.idle_exit_s


def _partition_key(tp: TopicPartition) -> str:
    return f"{tp.topic}:{tp.partition}"


class _SeekToCheckpoint(ConsumerRebalanceListener):
    def __init__(self, consumer: Any, checkpoint: Checkpoint, stop: Stop) -> None:
        self.consumer, self.checkpoint, self.stop = consumer, checkpoint, stop

    async def on_partitions_revoked(self, revoked: Any) -> None:
        pass  # offsets are committed after every batch already

    async def on_partitions_assigned(self, assigned: Any) -> None:
        for tp in assigned:
            if (offset := self.checkpoint.kafka.get(_partition_key(tp))) is not None:
                self.consumer.seek(tp, offset)
        log.info("partitions assigned", partitions=sorted(_partition_key(tp) for tp in assigned))
        self.stop.awake()  # joining the group took its time; idleness counts from now


async def from_kafka(
    subscription: Subscription,
    settings: Settings,
    output: Output,
    checkpoint: Checkpoint,
    stop: Stop,
    *,
    username: str | None = None,
    password: str | None = None,
) -> None:
    security: dict[str, Any] = {}
    if username:
        department, _, region = username.rpartition("-")  # a bureau's Kafka principal is <department>-<region>
        check_owner(subscription, department, region)
        security = bureau_principal(username, password or "")
    consumer = Bus(settings, "tuoyu-subscribe").consumer([], subscription.group, **security)
    consumer.subscribe(list(subscription.topics), listener=_SeekToCheckpoint(consumer, checkpoint, stop))
    try:
        await consumer.start()
        while not stop.reached:
            batches = await consumer.getmany(timeout_ms=500, max_records=100)
            done: dict[TopicPartition, OffsetAndMetadata] = {}
            for tp, messages in batches.items():
                for message in messages:
                    if stop.reached:
                        break
                    try:
                        event = orjson.loads(message.value)
                    except orjson.JSONDecodeError:
                        log.warning("not an event, skipped", topic=message.topic, partition=message.partition, offset=message.offset)
                    else:
                        await output.deliver(event)
                        stop.count()
                    checkpoint.kafka[_partition_key(tp)] = message.offset + 1
                    checkpoint.save()
                    done[tp] = OffsetAndMetadata(message.offset + 1, "")
            if still_assigned := {tp: o for tp, o in done.items() if tp in consumer.assignment()}:
                try:
                    await consumer.commit(still_assigned)
                except Exception as exc:  # noqa: BLE001 - a rebalance in between: the checkpoint file has it
                    log.warning("commit failed; the checkpoint file keeps the position", error=repr(exc)[:200])
    finally:
        await consumer.stop()


async def from_feeds(
    subscription: Subscription,
    gateway: str,
    client_id: str,
    client_secret: str,
    output: Output,
    checkpoint: Checkpoint,
    stop: Stop,
) -> None:
    sources = sorted({producer_of(topic) for topic in subscription.topics})
    async with httpx.AsyncClient(timeout=30) as http:
        token = ClientToken(http, gateway, client_id, client_secret)
        await _sign_in(token, client_id, subscription)
        feeds = FeedClient(http, token, {source: f"{gateway.rstrip('/')}/api/{source}" for source in sources})
        stop.awake()  # signed in; idleness counts from now
        failures = 0
        while not stop.reached:
            try:
                moved = False
                for source in sources:
                    moved |= await _read_feed(feeds, source, subscription, output, checkpoint, stop)
                failures = 0
            except httpx.HTTPError as exc:
                failures += 1
                moved = False
                log.warning("feed read failed, retrying", error=repr(exc)[:200], attempt=failures)
            if not moved and not stop.reached:
                await asyncio.sleep(min(FEED_POLL_S * 2**failures, 30.0))


async def _sign_in(token: ClientToken, client_id: str, subscription: Subscription) -> None:
    """The bureau's client credentials, taken by the gateway, with the subscriber role, and the group its own."""
    try:
        await token.header()
    except httpx.HTTPStatusError as exc:
        raise Refused(f"the gateway refused the client credentials of {client_id}: {exc.response.json().get('detail')}") from exc
    if "subscriber" not in token.granted["roles"]:
        raise Refused(f"{client_id} lacks the subscriber role")
    check_owner(subscription, token.granted["department"], token.granted["region"])


async def _read_feed(feeds: FeedClient, source: str, subscription: Subscription, output: Output, checkpoint: Checkpoint, stop: Stop) -> bool:
    """One page of `source`'s feed after the checkpoint; True when the position moved."""
    topics = [t for t in subscription.topics if producer_of(t) == source]
    try:
        items, next_after = await feeds.read(source, checkpoint.feed.get(source, 0), topics, FEED_PAGE)
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 403:
            raise Refused(f"{source}: {exc.response.json().get('detail')}") from exc
        raise  # a 401 (the token is dropped and fetched again) or the service failing: read again later
    for position, event in items:
        if stop.reached:
            return True
        await output.deliver(event)
        stop.count()
        checkpoint.feed[source] = position
        checkpoint.save()
    if next_after is not None and not stop.reached:
        checkpoint.feed[source] = next_after  # past rows the feed scanned but this bureau may not see
        checkpoint.save()
        return True
    return bool(items)


async def subscribe(
    group: str,
    topics: list[str],
    *,
    settings: Settings,
    output: Output,
    stop: Stop,
    checkpoint: Path | None = None,
    from_feed: bool = False,
    gateway: str = "",
    client_id: str | None = None,
    client_secret: str | None = None,
    kafka_username: str | None = None,
    kafka_password: str | None = None,
) -> int:
    """Deliver the subscription's events until `stop`; the number delivered. Raises Refused."""
    subscription = subscription_for(group, topics)
    if not from_feed and subscription.region != CITY:
        raise Refused(
            f"{group} is a county office's group: a Kafka topic carries every county's events, "
            "so county offices subscribe with --from-feed, where the platform keeps to their county"
        )
    if from_feed and not (client_id and client_secret):
        raise Refused("--from-feed needs the bureau's client credentials: --client-id and --client-secret (or TUOYU_CLIENT_ID, TUOYU_CLIENT_SECRET)")
    position = Checkpoint.load(checkpoint or settings.data_dir / f"subscriber-{group}.json")
    log.info("subscribing", group=group, topics=list(subscription.topics), via="feeds" if from_feed else "kafka", checkpoint=str(position.path))
    if from_feed:
        await from_feeds(subscription, gateway or settings.gateway_url, client_id, client_secret, output, position, stop)  # type: ignore[arg-type]
    else:
        await from_kafka(subscription, settings, output, position, stop, username=kafka_username, password=kafka_password)
    return stop.delivered
