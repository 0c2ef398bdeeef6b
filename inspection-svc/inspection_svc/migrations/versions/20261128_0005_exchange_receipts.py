"""exchange receipts: what the health bureau received, with its link in the producer's chain

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchange_receipt',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=120), nullable=False),
    sa.Column('type', sa.String(length=160), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('chainprev', sa.String(length=64), nullable=True),
    sa.Column('chainhash', sa.String(length=64), nullable=True),
    sa.Column('event_time', UTCDateTime, nullable=False),
    sa.Column('received_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('exchange_receipt', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_receipt_subject', ['subject'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('exchange_receipt', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_receipt_subject')

    op.drop_table('exchange_receipt')
