"""employers, practitioners, certificates, courses, sessions, enrolments, in-service hours, health checks, competitions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competition',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('occupation', sa.String(length=16), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('course',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('occupation', sa.String(length=16), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('in_service', sa.Boolean(), nullable=False),
    sa.Column('issues_certificate', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('employer',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('places_infant', sa.Integer(), nullable=False),
    sa.Column('places_toddler', sa.Integer(), nullable=False),
    sa.Column('places_older_toddler', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('uscc')
    )
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_county'), ['county'], unique=False)

    op.create_table('practitioner',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('occupation', sa.String(length=16), nullable=False),
    sa.Column('employer_uscc', sa.String(length=18), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('hired_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('rehired_retiree', sa.Boolean(), nullable=False),
    sa.Column('volunteer', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.Column('updated_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_number')
    )
    with op.batch_alter_table('practitioner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practitioner_county'), ['county'], unique=False)
        batch_op.create_index('ix_practitioner_employer_status', ['employer_uscc', 'status'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practitioner_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occupation', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('enrolment_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'number', name='uq_certificate_kind_number')
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_practitioner_id'), ['practitioner_id'], unique=False)

    op.create_table('course_session',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('course_id', sa.String(length=36), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.CheckConstraint('enrolled <= capacity', name='ck_course_session_capacity'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_session_course_id'), ['course_id'], unique=False)

    op.create_table('health_check',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practitioner_id', sa.String(length=36), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('examiner', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('health_check', schema=None) as batch_op:
        batch_op.create_index('ix_health_check_practitioner_valid_until', ['practitioner_id', 'valid_until'], unique=False)

    op.create_table('in_service_training',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practitioner_id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('in_service_training', schema=None) as batch_op:
        batch_op.create_index('ix_in_service_training_practitioner_year', ['practitioner_id', 'year'], unique=False)

    op.create_table('enrolment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('practitioner_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attended_hours', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('certificate_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['course_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'practitioner_id', name='uq_enrolment_session_practitioner')
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_session_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_practitioner_id'))

    op.drop_table('enrolment')
    with op.batch_alter_table('in_service_training', schema=None) as batch_op:
        batch_op.drop_index('ix_in_service_training_practitioner_year')

    op.drop_table('in_service_training')
    with op.batch_alter_table('health_check', schema=None) as batch_op:
        batch_op.drop_index('ix_health_check_practitioner_valid_until')

    op.drop_table('health_check')
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_session_course_id'))

    op.drop_table('course_session')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_practitioner_id'))

    op.drop_table('certificate')
    with op.batch_alter_table('practitioner', schema=None) as batch_op:
        batch_op.drop_index('ix_practitioner_employer_status')
        batch_op.drop_index(batch_op.f('ix_practitioner_county'))

    op.drop_table('practitioner')
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_county'))

    op.drop_table('employer')
    op.drop_table('course')
    op.drop_table('competition')
