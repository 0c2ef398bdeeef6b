"""webhooks: the delivery tables of a consuming service, endpoints, the events kept for them, deliveries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import BigIntPK, UTCDateTime
from shared.migrate import add_outbox_chain_v2, create_platform_tables_v1, drop_platform_tables_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    add_outbox_chain_v2()
    op.create_table(
        "webhook",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("department", sa.String(16), nullable=False),
        sa.Column("region", sa.String(6), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("secret_sealed", sa.String(300), nullable=False),
        sa.Column("event_types", sa.JSON, nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paused_reason", sa.String(500), nullable=True),
        sa.Column("paused_at", UTCDateTime, nullable=True),
        sa.Column("failures_in_a_row", sa.Integer, nullable=False),
        sa.Column("replays", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_webhook_owner", "webhook", ["department", "region"])
    op.create_table(
        "webhook_event",
        sa.Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(160), nullable=False),
        sa.Column("region", sa.String(6), nullable=False),
        sa.Column("time", UTCDateTime, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_webhook_event_time", "webhook_event", ["time"])
    op.create_table(
        "webhook_delivery",
        sa.Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.String(36), sa.ForeignKey("webhook.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_seq", sa.BigInteger, sa.ForeignKey("webhook_event.seq"), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(160), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("attempt_log", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("webhook_id", "event_seq", "round", name="uq_webhook_delivery_once"),
    )
    op.create_index("ix_webhook_delivery_queue", "webhook_delivery", ["webhook_id", "status", "seq"])
    op.create_index("ix_webhook_delivery_log", "webhook_delivery", ["webhook_id", "seq"])


def downgrade() -> None:
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_event")
    op.drop_table("webhook")
    drop_platform_tables_v1()
