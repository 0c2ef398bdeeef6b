"""each application keeps the programme version and rules it was decided under

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
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("programme_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rules", sa.JSON(), nullable=True))
    # applications made before: the programme as it stands is the best record there is
    op.execute(
        "UPDATE application SET programme_version = (SELECT version FROM programme WHERE programme.code = application.programme),"
        " rules = (SELECT rules FROM programme WHERE programme.code = application.programme)"
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.alter_column("programme_version", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("rules", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("rules")
        batch_op.drop_column("programme_version")
