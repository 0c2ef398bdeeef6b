"""programmes, budgets, applications, ledger, batches, fee standards, idempotency keys; the programmes seeded

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime, utcnow
from subsidy_svc.domain.programmes import DEFAULT_PROGRAMMES

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('application',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('programme', sa.String(length=40), nullable=False),
    sa.Column('claim_key', sa.String(length=80), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('practitioner_id', sa.String(length=36), nullable=True),
    sa.Column('certificate_id', sa.String(length=36), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('reviewed_by', sa.String(length=80), nullable=True),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('disbursed_on', sa.Date(), nullable=True),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index('ix_application_status_region', ['status', 'region'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_uscc'), ['uscc'], unique=False)
        batch_op.create_index('uq_application_claim', ['programme', 'claim_key'], unique=True, sqlite_where=sa.text("status NOT IN ('rejected', 'reversed')"), postgresql_where=sa.text("status NOT IN ('rejected', 'reversed')"))

    op.create_table('budget',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('programme', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('committed_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', UTCDateTime, nullable=False),
    sa.CheckConstraint('committed_fen <= amount_fen', name='ck_budget_within'),
    sa.CheckConstraint('committed_fen >= 0', name='ck_budget_committed_positive'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('programme', 'year', 'region', 'level', name='uq_budget_line')
    )
    op.create_table('disbursement_batch',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('paid', sa.JSON(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('fee_standard',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('service_type', sa.String(length=12), nullable=False),
    sa.Column('cap_fen', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'county', 'service_type', name='uq_fee_standard')
    )
    op.create_table('idempotency_key',
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.JSON(), nullable=True),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key')
    )
    op.create_table('programme',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('clause', sa.String(length=300), nullable=False),
    sa.Column('reviewer_department', sa.String(length=16), nullable=False),
    sa.Column('approver_department', sa.String(length=16), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('ledger_entry',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('programme', sa.String(length=40), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('booked_by', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'kind', 'level', name='uq_ledger_once')
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entry_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_booked_on'), ['booked_on'], unique=False)
    programme = sa.table(
        "programme",
        sa.column("code"),
        sa.column("name"),
        sa.column("clause"),
        sa.column("reviewer_department"),
        sa.column("approver_department"),
        sa.column("rules", sa.JSON),
        sa.column("version"),
        sa.column("updated_at", UTCDateTime),
    )
    op.bulk_insert(programme, [{**p, "version": 1, "updated_at": utcnow()} for p in DEFAULT_PROGRAMMES])


def downgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_booked_on'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_batch_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_application_id'))

    op.drop_table('ledger_entry')
    op.drop_table('programme')
    op.drop_table('idempotency_key')
    op.drop_table('fee_standard')
    op.drop_table('disbursement_batch')
    op.drop_table('budget')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('uq_application_claim', sqlite_where=sa.text("status NOT IN ('rejected', 'reversed')"), postgresql_where=sa.text("status NOT IN ('rejected', 'reversed')"))
        batch_op.drop_index(batch_op.f('ix_application_uscc'))
        batch_op.drop_index('ix_application_status_region')
        batch_op.drop_index(batch_op.f('ix_application_practitioner_id'))

    op.drop_table('application')
