"""the outbox keeps each event's link in its stream's evidence chain

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from shared.migrate import add_outbox_chain_v2, drop_outbox_chain_v2

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_chain_v2()


def downgrade() -> None:
    drop_outbox_chain_v2()
