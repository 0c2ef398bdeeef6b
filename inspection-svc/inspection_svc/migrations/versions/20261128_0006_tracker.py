"""the joint meeting's tracker: places, area and required carers in the inbox; subsidy budget and
payment facts; the plan's milestones as targets

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from inspection_svc.domain.tracker import PLAN_MILESTONES
from shared.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("health_inbox") as batch_op:
        batch_op.add_column(sa.Column("places", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("area", sa.String(8), nullable=True))
        batch_op.add_column(sa.Column("required_carers", sa.Integer(), nullable=True))
    op.create_table(
        "budget_fact",
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(6), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("set_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("programme", "year", "region", "level"),
    )
    op.create_table(
        "payment_fact",
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("region", sa.String(6), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_index("ix_payment_fact_year_region", "payment_fact", ["year", "region"])
    target = op.create_table(
        "tracker_target",
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("clause", sa.String(300), nullable=False),
        sa.Column("indicator", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(12), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("from_year", sa.Integer(), nullable=False),
        sa.Column("due_year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        target,
        [{**t.__dict__, "version": 1, "updated_by": "plan", "updated_at": now} for t in PLAN_MILESTONES],
    )


def downgrade() -> None:
    op.drop_table("tracker_target")
    op.drop_index("ix_payment_fact_year_region", "payment_fact")
    op.drop_table("payment_fact")
    op.drop_table("budget_fact")
    with op.batch_alter_table("health_inbox") as batch_op:
        batch_op.drop_column("required_carers")
        batch_op.drop_column("area")
        batch_op.drop_column("places")
