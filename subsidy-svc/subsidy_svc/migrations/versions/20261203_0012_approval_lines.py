"""approvals standing, one row a budget line, so that the monthly report sums them in the database
(they were unpacked from each application's JSON `lines`); filled for the approvals already there

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_line",
        sa.Column("application_id", sa.String(36), sa.ForeignKey("application.id"), primary_key=True),
        sa.Column("region", sa.String(6), primary_key=True),
        sa.Column("level", sa.String(8), primary_key=True),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
    )
    op.create_index("ix_approval_line_approved_on", "approval_line", ["approved_on", "region"])
    application = sa.table(
        "application", sa.column("id"), sa.column("programme"), sa.column("lines", sa.JSON), sa.column("status"), sa.column("approved_on", sa.Date)
    )
    line = sa.table(
        "approval_line",
        sa.column("application_id"),
        sa.column("region"),
        sa.column("level"),
        sa.column("programme"),
        sa.column("amount_fen"),
        sa.column("approved_on", sa.Date),
    )
    bind = op.get_bind()
    standing = bind.execute(
        sa.select(application).where(application.c.status.in_(("approved", "disbursed")), application.c.approved_on.is_not(None))
    ).all()
    rows = [
        {"application_id": a.id, "region": each["region"], "level": each["level"], "programme": a.programme, "amount_fen": each["amount_fen"], "approved_on": a.approved_on}
        for a in standing
        for each in a.lines
    ]
    if rows:
        bind.execute(sa.insert(line), rows)


def downgrade() -> None:
    op.drop_index("ix_approval_line_approved_on", table_name="approval_line")
    op.drop_table("approval_line")
