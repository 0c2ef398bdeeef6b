"""a filing keeps the day its answer is due by the clock that applies to it (5 working days when it
meets the conditions, 15 to return it when it does not), so overdue filings are picked in SQL

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from inspection_svc.domain.filing import FilingClock, answer_due, unmet_conditions

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("filing") as batch_op:
        batch_op.add_column(sa.Column("answer_by", sa.Date(), nullable=True))
    filing = sa.table(
        "filing",
        sa.column("id", sa.String),
        sa.column("materials", sa.JSON),
        sa.column("serves_meals", sa.Boolean),
        sa.column("hygiene_rating", sa.String),
        sa.column("answer_due_on", sa.Date),
        sa.column("return_due_on", sa.Date),
        sa.column("answer_by", sa.Date),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(filing)).all():
        meets = not unmet_conditions(row.materials, row.serves_meals, row.hygiene_rating)
        due = answer_due(FilingClock(row.answer_due_on, row.return_due_on), meets)
        bind.execute(sa.update(filing).where(filing.c.id == row.id).values(answer_by=due))
    with op.batch_alter_table("filing") as batch_op:
        batch_op.alter_column("answer_by", existing_type=sa.Date(), nullable=False)
        batch_op.create_index("ix_filing_answer_by", ["answer_by"])


def downgrade() -> None:
    with op.batch_alter_table("filing") as batch_op:
        batch_op.drop_index("ix_filing_answer_by")
        batch_op.drop_column("answer_by")
