"""staffing and certificate facts from the workforce service's events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_fact',
    sa.Column('practitioner_id', sa.String(length=36), nullable=False),
    sa.Column('employer_uscc', sa.String(length=18), nullable=False),
    sa.Column('occupation', sa.String(length=16), nullable=False),
    sa.Column('volunteer', sa.Boolean(), nullable=False),
    sa.Column('employed', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('certified_occupations', sa.JSON(), nullable=False),
    sa.Column('health_valid_until', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('practitioner_id')
    )
    with op.batch_alter_table('staff_fact', schema=None) as batch_op:
        batch_op.create_index('ix_staff_fact_employer_employed', ['employer_uscc', 'employed'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('staff_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_fact_employer_employed')

    op.drop_table('staff_fact')
