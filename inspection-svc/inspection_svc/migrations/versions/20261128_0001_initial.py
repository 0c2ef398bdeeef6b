"""health bureau inbox, filings, reconciliations and the delivery tables

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import BigIntPK, UTCDateTime
from shared.migrate import create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "health_inbox",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("nature", sa.String(32), nullable=False),
        sa.Column("registrar", sa.String(16), nullable=False),
        sa.Column("registrar_region", sa.String(6), nullable=False),
        sa.Column("health_region", sa.String(6), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("same_month", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("ended_on", sa.Date, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Index("ix_health_inbox_health_region_registered_on", "health_region", "registered_on"),
        sa.Index("ix_health_inbox_county_registered_on", "county", "registered_on"),
    )
    op.create_table(
        "filing",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("materials", sa.JSON, nullable=False),
        sa.Column("serves_meals", sa.Boolean, nullable=False),
        sa.Column("hygiene_rating", sa.String(10), nullable=True),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("answer_due_on", sa.Date, nullable=False, index=True),
        sa.Column("return_due_on", sa.Date, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=True),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Index("ix_filing_county_status", "county", "status"),
        sa.UniqueConstraint("uscc", "sequence", name="uq_filing_uscc_sequence"),
        sa.Index(
            "uq_filing_open",
            "uscc",
            unique=True,
            sqlite_where=sa.text("status IN ('submitted', 'accepted')"),
            postgresql_where=sa.text("status IN ('submitted', 'accepted')"),
        ),
    )
    op.create_table(
        "reconciliation",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(80), nullable=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=False),
        sa.Column("read", sa.Integer, nullable=False),
        sa.Column("repaired", sa.Integer, nullable=False),
        sa.Column("repaired_usccs", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("reconciliation", "filing", "health_inbox"):
        op.drop_table(table)
    drop_platform_tables_v1()
