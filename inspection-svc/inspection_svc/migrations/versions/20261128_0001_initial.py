"""health bureau inbox and the delivery tables

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.tables import create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "health_inbox",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("nature", sa.String(32), nullable=False),
        sa.Column("registrar", sa.String(16), nullable=False),
        sa.Column("registrar_region", sa.String(6), nullable=False),
        sa.Column("health_region", sa.String(6), nullable=False, index=True),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("registered_on", sa.Date, nullable=False, index=True),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("same_month", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("health_inbox")
    drop_platform_tables_v1()
