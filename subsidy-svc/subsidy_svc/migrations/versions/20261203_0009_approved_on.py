"""an application keeps the day it was approved, the month its approvals are reported in

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.timeutil import china_date

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
    # approvals made before: the day of their audited approval
    audit = sa.table("audit_log", sa.column("entity"), sa.column("key"), sa.column("action"), sa.column("at", UTCDateTime))
    application = sa.table("application", sa.column("id"), sa.column("approved_on", sa.Date))
    bind = op.get_bind()
    approvals = bind.execute(
        sa.select(audit.c.key, sa.func.max(audit.c.at, type_=UTCDateTime)).where(audit.c.entity == "application", audit.c.action == "approve").group_by(audit.c.key)
    ).all()
    for key, at in approvals:
        bind.execute(sa.update(application).where(application.c.id == key).values(approved_on=china_date(at)))


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("approved_on")
