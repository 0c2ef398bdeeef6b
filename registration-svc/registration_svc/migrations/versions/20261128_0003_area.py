"""urban or rural location of an institution (城镇 / 农村)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registration") as batch_op:
        batch_op.add_column(sa.Column("area", sa.String(8), nullable=False, server_default="urban"))


def downgrade() -> None:
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_column("area")
