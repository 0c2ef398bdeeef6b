"""fee standards adjusted in versions (每年确定并适时调整): the one before kept, superseded

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CURRENT = sa.text("superseded_on IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("fee_standard", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("effective_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("superseded_on", sa.Date(), nullable=True))
    op.execute("UPDATE fee_standard SET version = 1, effective_from = published_on")  # each was the first and only one
    with op.batch_alter_table("fee_standard", schema=None) as batch_op:
        batch_op.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("effective_from", existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint("uq_fee_standard", type_="unique")
        batch_op.create_unique_constraint("uq_fee_standard_version", ["year", "county", "service_type", "version"])
        batch_op.create_index("uq_fee_standard_current", ["year", "county", "service_type"], unique=True, sqlite_where=CURRENT, postgresql_where=CURRENT)


def downgrade() -> None:
    op.execute("DELETE FROM fee_standard WHERE superseded_on IS NOT NULL")  # the earlier versions: only one a year again
    with op.batch_alter_table("fee_standard", schema=None) as batch_op:
        batch_op.drop_index("uq_fee_standard_current", sqlite_where=CURRENT, postgresql_where=CURRENT)
        batch_op.drop_constraint("uq_fee_standard_version", type_="unique")
        batch_op.create_unique_constraint("uq_fee_standard", ["year", "county", "service_type"])
        batch_op.drop_column("superseded_on")
        batch_op.drop_column("effective_from")
        batch_op.drop_column("version")
