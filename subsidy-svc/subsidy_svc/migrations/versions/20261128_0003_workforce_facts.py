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
    op.create_table('certificate_fact',
    sa.Column('certificate_id', sa.String(length=36), nullable=False),
    sa.Column('practitioner_id', sa.String(length=36), nullable=False),
    sa.Column('employer_uscc', sa.String(length=18), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occupation', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('certificate_id')
    )
    with op.batch_alter_table('certificate_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_fact_practitioner_id'), ['practitioner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('certificate_fact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_fact_practitioner_id'))

    op.drop_table('certificate_fact')
