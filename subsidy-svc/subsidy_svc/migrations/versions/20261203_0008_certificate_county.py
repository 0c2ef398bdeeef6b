"""a certificate keeps its county from the event, so its claim's budget line does not depend on event order

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificate_fact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("county", sa.String(length=6), nullable=True))
        batch_op.create_index(batch_op.f("ix_certificate_fact_county"), ["county"], unique=False)
    # certificates kept before: their employer's county, where the subsidy side knows it
    op.execute("UPDATE certificate_fact SET county = (SELECT county FROM institution WHERE institution.uscc = certificate_fact.employer_uscc)")


def downgrade() -> None:
    with op.batch_alter_table("certificate_fact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_fact_county"))
        batch_op.drop_column("county")
