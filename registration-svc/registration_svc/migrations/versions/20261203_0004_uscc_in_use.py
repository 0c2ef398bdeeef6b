"""each USCC once across registrations and the kindergarten 托班 ledger

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uscc_in_use",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
    )
    # The records already held: registrations first, then the ledger entries under a USCC not
    # registered (such a pair, written before this key, stays as it is; new ones are refused).
    op.execute("INSERT INTO uscc_in_use (uscc, kind) SELECT uscc, 'registration' FROM registration")
    op.execute(
        "INSERT INTO uscc_in_use (uscc, kind) SELECT uscc, 'kindergarten_class' FROM kindergarten_class"
        " WHERE uscc NOT IN (SELECT uscc FROM registration)"
    )


def downgrade() -> None:
    op.drop_table("uscc_in_use")
