"""the keys of writes sent with Idempotency-Key, and the answers they got (DESIGN §6)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from shared.migrate import create_idempotency_table, drop_idempotency_table

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    drop_idempotency_table()
