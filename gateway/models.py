"""Tables of the gateway: the accounts of people and department systems, and the bureaus'
webhooks (事件推送) with the events they are owed and the log of every delivery."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import BigIntPK, UTCDateTime
from shared.tables import platform_tables


class Base(DeclarativeBase):
    pass


class Account(Base):
    """A person (password) or a department system (client credentials)."""

    __tablename__ = "account"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)  # or client_id for systems
    kind: Mapped[str] = mapped_column(sa.String(16))  # person | system
    secret_hash: Mapped[str] = mapped_column(sa.String(200))  # argon2id
    display_name: Mapped[str] = mapped_column(sa.String(100))
    department: Mapped[str] = mapped_column(sa.String(16))
    region: Mapped[str] = mapped_column(sa.String(6))
    roles: Mapped[list[str]] = mapped_column(sa.JSON)
    disabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RefreshToken(Base):
    """A refresh token, stored as its hash. Each use replaces it (rotation); presenting a replaced
    one again means it was stolen, and its whole family is revoked."""

    __tablename__ = "refresh_token"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    family: Mapped[str] = mapped_column(sa.String(36), index=True)
    account_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("account.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Webhook(Base):
    """A bureau's endpoint: where its events are POSTed, signed with its secret, and which ones."""

    __tablename__ = "webhook"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    department: Mapped[str] = mapped_column(sa.String(16))  # the owning bureau …
    region: Mapped[str] = mapped_column(sa.String(6))  # … and its office
    url: Mapped[str] = mapped_column(sa.String(500))
    secret_sealed: Mapped[str] = mapped_column(sa.String(300))
    event_types: Mapped[list[str]] = mapped_column(sa.JSON)  # empty: all the bureau may read
    regions: Mapped[list[str]] = mapped_column(sa.JSON)  # empty: all the office covers
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[str] = mapped_column(sa.String(16))  # active | paused
    paused_reason: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failures_in_a_row: Mapped[int] = mapped_column(sa.Integer, default=0)
    replays: Mapped[int] = mapped_column(sa.Integer, default=0)  # rounds of replay asked so far
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    __table_args__ = (sa.Index("ix_webhook_owner", "department", "region"),)


class WebhookEvent(Base):
    """Every event of the platform as the gateway received it, kept for deliveries and replays."""

    __tablename__ = "webhook_event"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    type: Mapped[str] = mapped_column(sa.String(160))
    region: Mapped[str] = mapped_column(sa.String(6))
    time: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    payload: Mapped[str] = mapped_column(sa.Text)  # the CloudEvent as JSON, sent as the body


class WebhookDelivery(Base):
    """One event owed to one endpoint (`round` 0 live, then one per replay), with its attempts."""

    __tablename__ = "webhook_delivery"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)  # its id, and the order of delivery
    webhook_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("webhook.id", ondelete="CASCADE"))
    event_seq: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("webhook_event.seq"))
    event_id: Mapped[str] = mapped_column(sa.String(36))
    event_type: Mapped[str] = mapped_column(sa.String(160))
    round: Mapped[int] = mapped_column(sa.Integer, default=0)
    status: Mapped[str] = mapped_column(sa.String(16))  # pending | delivered
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    attempt_log: Mapped[list[dict]] = mapped_column(sa.JSON)  # the latest attempts: at, status, error, ms
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        sa.UniqueConstraint("webhook_id", "event_seq", "round", name="uq_webhook_delivery_once"),
        sa.Index("ix_webhook_delivery_queue", "webhook_id", "status", "seq"),
        sa.Index("ix_webhook_delivery_log", "webhook_id", "seq"),
    )


platform = platform_tables(Base.metadata)
