"""Kafka clients: one producer per process, consumers per (service, purpose), topic creation.

Works against the embedded broker and Apache Kafka alike; what the embedded one does not do
(idempotent producer, trustworthy end offsets) is not relied on (DESIGN §9).
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.events.catalogue import dlq_topic
from shared.settings import Settings

MAX_POLL_RECORDS = 500  # a consumer's batch at most

log = structlog.get_logger("tuoyu.bus")


async def ensure_topics(settings: Settings, topics: list[str] | tuple[str, ...], *, with_dlq: bool = True) -> None:
    """Create the topics (and their `.dlq` companions) that do not exist yet."""
    wanted = list(dict.fromkeys([*topics, *(dlq_topic(t) for t in topics if with_dlq)]))
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return
        configs = {
            key: str(value)
            for key, value in (("min.insync.replicas", settings.kafka_min_insync_replicas), ("retention.ms", settings.kafka_retention_ms))
            if value is not None
        }
        try:
            await admin.create_topics(
                [NewTopic(t, settings.kafka_partitions, settings.kafka_replication_factor, topic_configs=configs or None) for t in missing]
            )
        except TopicAlreadyExistsError:
            pass  # another process created them in between
        log.info("topics created", topics=missing)
    finally:
        await admin.close()


def bureau_principal(username: str, password: str) -> dict[str, Any]:
    """Consumer settings for a bureau's own Kafka principal (`<department>-<region>`, SCRAM on the
    bureaus' listener; deploy/kafka-acls.sh gives it its topics and groups)."""
    return {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": username, "sasl_plain_password": password}


class Bus:
    """The process's Kafka producer, started on first use and rebuilt after failures
    (a producer can wedge after a broker blip)."""

    def __init__(self, settings: Settings, client_id: str) -> None:
        self.settings = settings
        self.client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def producer(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self.settings.kafka_bootstrap,
                    client_id=self.client_id,
                    acks="all",
                    linger_ms=5,
                    request_timeout_ms=10000,
                )
                await producer.start()
                self._producer = producer
            return self._producer

    async def reset(self) -> None:
        async with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except Exception:  # noqa: BLE001 - a wedged producer may fail to stop; it is dropped anyway
                log.warning("producer stop failed", exc_info=True)

    def consumer(self, topics: list[str], group_id: str, *, fetch_max_wait_ms: int | None = None, **security: Any) -> AIOKafkaConsumer:
        """`fetch_max_wait_ms`: the settings' prompt wait unless given. `security`: SASL settings of a
        bureau's own principal (`tuoyu subscribe`); the suite needs none."""
        return AIOKafkaConsumer(
            *topics,
            bootstrap_servers=self.settings.kafka_bootstrap,
            client_id=f"{self.client_id}.{group_id}",
            group_id=group_id,
            enable_auto_commit=False,  # auto-commit is at-most-once; offsets follow the inbox commit
            auto_offset_reset="earliest",
            fetch_max_wait_ms=fetch_max_wait_ms or self.settings.kafka_fetch_max_wait_ms,
            session_timeout_ms=self.settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=self.settings.kafka_heartbeat_interval_ms,
            max_poll_records=MAX_POLL_RECORDS,
            **security,
        )

    async def close(self) -> None:
        await self.reset()


async def grow_partitions(settings: Settings, topics: list[str] | tuple[str, ...], count: int) -> list[str]:
    """Raise the topics (and their `.dlq`) to `count` partitions (Apache Kafka; the embedded broker
    cannot). Returns the topics that grew."""
    from aiokafka.admin import NewPartitions

    wanted = list(dict.fromkeys([*topics, *(dlq_topic(t) for t in topics)]))
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        described = await admin.describe_topics(wanted)
        smaller = [d["topic"] for d in described if len(d["partitions"]) < count]
        if smaller:
            await admin.create_partitions({t: NewPartitions(total_count=count) for t in smaller})
        return smaller
    finally:
        await admin.close()
