"""The delivery tables every service database holds beside its own (DESIGN §4, §8).

- `outbox`: events written in the same transaction as the state change (Debezium's columns:
  topic ~ aggregatetype, key ~ aggregateid, type, payload). `seq` is insertion order; `position`
  is given by the single relay owner in the order rows became visible, so a feed reader that
  remembers the last position can never skip a row whose transaction committed late.
- `inbox`: (consumer, event id) of every event a consumer applied, written in the handler's
  transaction (Eventuate's `received_messages`).
- `dead_letter`: events a consumer parked after its retries, with the error, for replay.
- `feed_checkpoint`: how far a consumer has read a producer's feed.
- `relay_lease`: which process owns the outbox relay (one owner keeps per-key order).
- `audit_log`: every write with its actor (DESIGN §6), in the write's own transaction.
- `idempotency_key`: a write's `Idempotency-Key` per caller and route, with the answer it got
  (DESIGN §6; `shared.idempotency`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from shared.db import BigIntPK, UTCDateTime

RELAY_LEASE_NAME = "outbox"


@dataclass(frozen=True)
class PlatformTables:
    outbox: sa.Table
    inbox: sa.Table
    dead_letter: sa.Table
    feed_checkpoint: sa.Table
    relay_lease: sa.Table
    audit_log: sa.Table
    idempotency_key: sa.Table


def platform_tables(metadata: sa.MetaData, *, chain: bool = True) -> PlatformTables:
    """Declare the delivery tables in a service's metadata (`chain=False`: as of version 1)."""
    chain_columns = [sa.Column("chain_hash", sa.String(64), nullable=True)] if chain else []  # the event's link in its stream's chain
    outbox = sa.Table(
        "outbox",
        metadata,
        sa.Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("topic", sa.String(120), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("type", sa.String(160), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=True, unique=True),
        sa.Column("published_at", UTCDateTime, nullable=True),
        *chain_columns,
        sa.Index("ix_outbox_unsequenced", "seq", sqlite_where=sa.text("position IS NULL"), postgresql_where=sa.text("position IS NULL")),
        sa.Index(
            "ix_outbox_unpublished",
            "position",
            sqlite_where=sa.text("published_at IS NULL"),
            postgresql_where=sa.text("published_at IS NULL"),
        ),
        sa.Index("ix_outbox_topic_position", "topic", "position"),
    )
    inbox = sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.String(80), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("type", sa.String(160), nullable=False),
        sa.Column("processed_at", UTCDateTime, nullable=False),
    )
    dead_letter = sa.Table(
        "dead_letter",
        metadata,
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("consumer", sa.String(80), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(160), nullable=False),
        sa.Column("topic", sa.String(120), nullable=False),
        sa.Column("partition", sa.Integer, nullable=True),
        sa.Column("offset", sa.BigInteger, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),  # parked | replayed
        sa.Column("parked_at", UTCDateTime, nullable=False),
        sa.Column("replayed_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("consumer", "event_id", name="uq_dead_letter_consumer_event"),
        sa.Index("ix_dead_letter_status", "status", "id"),
    )
    feed_checkpoint = sa.Table(
        "feed_checkpoint",
        metadata,
        sa.Column("consumer", sa.String(80), primary_key=True),
        sa.Column("source", sa.String(80), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    relay_lease = sa.Table(
        "relay_lease",
        metadata,
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("owner", sa.String(80), nullable=True),
        sa.Column("expires_at", UTCDateTime, nullable=True),
    )
    audit_log = sa.Table(
        "audit_log",
        metadata,
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("department", sa.String(16), nullable=True),
        sa.Column("region", sa.String(6), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity", sa.String(60), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Index("ix_audit_log_entity_key", "entity", "key", "id"),
    )
    idempotency_key = sa.Table(
        "idempotency_key",
        metadata,
        sa.Column("scope", sa.String(200), primary_key=True),  # who asked, for which route
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),  # pending | applied | done
        sa.Column("response_status", sa.Integer, nullable=True),
        sa.Column("response_body", sa.JSON, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    return PlatformTables(outbox, inbox, dead_letter, feed_checkpoint, relay_lease, audit_log, idempotency_key)

