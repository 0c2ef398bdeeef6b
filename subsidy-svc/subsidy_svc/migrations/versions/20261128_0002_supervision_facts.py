"""credit, findings and designations as the supervision side announces them

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('designation_fact',
    sa.Column('designation_id', sa.String(length=36), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('designation_id')
    )
    with op.batch_alter_table('designation_fact', schema=None) as batch_op:
        batch_op.create_index('ix_designation_fact_uscc_kind', ['uscc', 'kind'], unique=False)

    op.create_table('finding_fact',
    sa.Column('finding_id', sa.String(length=36), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('finding_id')
    )
    with op.batch_alter_table('finding_fact', schema=None) as batch_op:
        batch_op.create_index('ix_finding_fact_uscc_status', ['uscc', 'status'], unique=False)

    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_status', sa.String(length=12), nullable=False, server_default='normal'))
        batch_op.add_column(sa.Column('credit_version', sa.Integer(), nullable=False, server_default='0'))



def downgrade() -> None:
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_column('credit_version')
        batch_op.drop_column('credit_status')

    with op.batch_alter_table('finding_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_fact_uscc_status')

    op.drop_table('finding_fact')
    with op.batch_alter_table('designation_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_designation_fact_uscc_kind')

    op.drop_table('designation_fact')
