"""a certificate is claimed once, whichever training subsidy it earns

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STANDING = sa.text("status NOT IN ('rejected', 'reversed')")


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index("uq_application_certificate", ["certificate_id"], unique=True, sqlite_where=STANDING, postgresql_where=STANDING)


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("uq_application_certificate", sqlite_where=STANDING, postgresql_where=STANDING)
