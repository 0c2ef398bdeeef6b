"""spot checks tied to their draw: the draw's secret for its inspectors' published pseudonyms, an
inspection's substitutions of drawn inspectors, a follow-up's outcome (rectified, not rectified,
deadline extended), the date of a practitioner's latest health check

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("draw") as batch_op:
        batch_op.add_column(sa.Column("inspector_salt", sa.String(32), nullable=True))
    with op.batch_alter_table("inspection") as batch_op:
        batch_op.add_column(sa.Column("substitutions", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("follow_up") as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(16), nullable=False, server_default="rectified"))
        batch_op.add_column(sa.Column("checked_findings", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("new_deadline", sa.Date(), nullable=True))
    with op.batch_alter_table("staff_fact") as batch_op:
        batch_op.add_column(sa.Column("health_checked_on", sa.Date(), nullable=True))
    # what a follow-up checked, for those recorded before: the findings it closed
    op.execute("UPDATE follow_up SET checked_findings = closed_findings")


def downgrade() -> None:
    with op.batch_alter_table("staff_fact") as batch_op:
        batch_op.drop_column("health_checked_on")
    with op.batch_alter_table("follow_up") as batch_op:
        batch_op.drop_column("new_deadline")
        batch_op.drop_column("checked_findings")
        batch_op.drop_column("outcome")
    with op.batch_alter_table("inspection") as batch_op:
        batch_op.drop_column("substitutions")
    with op.batch_alter_table("draw") as batch_op:
        batch_op.drop_column("inspector_salt")
