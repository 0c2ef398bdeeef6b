"""spot checks, inspections, findings, credit, unlicensed operators, evaluations, designations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from inspection_svc.domain.unlicensed import name_key
from shared.db import UTCDateTime

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("health_inbox") as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(200), nullable=False, server_default=""))
        batch_op.create_index("ix_health_inbox_county_name_key", ["county", "name_key"])
    bind = op.get_bind()
    for uscc, name in bind.execute(sa.text("SELECT uscc, name FROM health_inbox")).all():
        bind.execute(sa.text("UPDATE health_inbox SET name_key = :key WHERE uscc = :uscc"), {"key": name_key(name), "uscc": uscc})
    op.create_table('credit',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('uscc')
    )
    with op.batch_alter_table('credit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_county'), ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_status'), ['status'], unique=False)

    op.create_table('credit_appeal',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('filed_by', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.Column('decision_note', sa.String(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('credit_appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_appeal_uscc'), ['uscc'], unique=False)

    op.create_table('designation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('monthly_fee_fen', sa.BigInteger(), nullable=True),
    sa.Column('fee_cap_fen', sa.BigInteger(), nullable=True),
    sa.Column('fee_standard_ref', sa.String(length=200), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('designation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_designation_county'), ['county'], unique=False)
        batch_op.create_index('ix_designation_uscc_kind_year', ['uscc', 'kind', 'year'], unique=False)

    op.create_table('evaluation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('evaluator', sa.String(length=80), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('rating', sa.String(length=10), nullable=False),
    sa.Column('review_ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('objection', sa.String(length=1000), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_review_ends_on'), ['review_ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_uscc'), ['uscc'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('agency', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('plan_id', sa.String(length=36), nullable=True),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('inspectors', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_agency_county_inspected_on', ['agency', 'county', 'inspected_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_uscc'), ['uscc'], unique=False)

    op.create_table('plan',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agency', sa.String(length=16), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sampling_ratio', sa.Float(), nullable=True),
    sa.Column('sample_size', sa.Integer(), nullable=True),
    sa.Column('weighted', sa.Boolean(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('inspectors', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index('ix_plan_agency_region_year', ['agency', 'region', 'year'], unique=False)

    op.create_table('unlicensed_operator',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('operator_person', sa.String(length=100), nullable=True),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('banned_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('linked_uscc', sa.String(length=18), nullable=True),
    sa.Column('linked_at', UTCDateTime, nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unlicensed_operator', schema=None) as batch_op:
        batch_op.create_index('ix_unlicensed_operator_county_name_key', ['county', 'name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_unlicensed_operator_uscc'), ['uscc'], unique=False)

    op.create_table('draw',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('seed', sa.String(length=128), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('inspectors', sa.JSON(), nullable=False),
    sa.Column('target_hash', sa.String(length=64), nullable=False),
    sa.Column('inspector_hash', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('assignments', sa.JSON(), nullable=False),
    sa.Column('drawn_by', sa.String(length=80), nullable=False),
    sa.Column('drawn_at', UTCDateTime, nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id')
    )
    op.create_table('finding',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('inspection_id', sa.String(length=36), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('agency', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('follow_up_id', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_county_status_deadline', ['county', 'status', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('ix_finding_uscc_status', ['uscc', 'status'], unique=False)

    op.create_table('follow_up',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('inspection_id', sa.String(length=36), nullable=False),
    sa.Column('followed_on', sa.Date(), nullable=False),
    sa.Column('inspectors', sa.JSON(), nullable=False),
    sa.Column('closed_findings', sa.JSON(), nullable=False),
    sa.Column('notes', sa.String(length=1000), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_inspection_id'), ['inspection_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("health_inbox") as batch_op:
        batch_op.drop_index("ix_health_inbox_county_name_key")
        batch_op.drop_column("name_key")
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_inspection_id'))

    op.drop_table('follow_up')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_uscc_status')
        batch_op.drop_index(batch_op.f('ix_finding_inspection_id'))
        batch_op.drop_index('ix_finding_county_status_deadline')

    op.drop_table('finding')
    op.drop_table('draw')
    with op.batch_alter_table('unlicensed_operator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unlicensed_operator_uscc'))
        batch_op.drop_index('ix_unlicensed_operator_county_name_key')

    op.drop_table('unlicensed_operator')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_agency_region_year')

    op.drop_table('plan')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_uscc'))
        batch_op.drop_index(batch_op.f('ix_inspection_plan_id'))
        batch_op.drop_index('ix_inspection_agency_county_inspected_on')

    op.drop_table('inspection')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_uscc'))
        batch_op.drop_index(batch_op.f('ix_evaluation_status'))
        batch_op.drop_index(batch_op.f('ix_evaluation_review_ends_on'))

    op.drop_table('evaluation')
    with op.batch_alter_table('designation', schema=None) as batch_op:
        batch_op.drop_index('ix_designation_uscc_kind_year')
        batch_op.drop_index(batch_op.f('ix_designation_county'))

    op.drop_table('designation')
    with op.batch_alter_table('credit_appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_appeal_uscc'))

    op.drop_table('credit_appeal')
    with op.batch_alter_table('credit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_status'))
        batch_op.drop_index(batch_op.f('ix_credit_county'))

    op.drop_table('credit')
