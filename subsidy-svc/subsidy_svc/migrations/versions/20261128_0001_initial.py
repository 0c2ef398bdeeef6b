"""eligibility facts read model and the delivery tables

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.migrate import create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "institution",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("nature", sa.String(32), nullable=True),
        sa.Column("inclusive_declared", sa.Boolean, nullable=True),
        sa.Column("registration_status", sa.String(16), nullable=True),
        sa.Column("registration_version", sa.Integer, nullable=False),
        sa.Column("filing_id", sa.String(36), nullable=True),
        sa.Column("filing_status", sa.String(16), nullable=True),
        sa.Column("filing_sequence", sa.Integer, nullable=False),
        sa.Column("filing_version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("institution")
    drop_platform_tables_v1()
