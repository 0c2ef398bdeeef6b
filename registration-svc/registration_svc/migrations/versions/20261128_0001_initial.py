"""registrations, the kindergarten 托班 ledger, imports and the delivery tables

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.migrate import create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "registration",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("nature", sa.String(32), nullable=False, index=True),
        sa.Column("registrar", sa.String(16), nullable=False, index=True),
        sa.Column("registrar_region", sa.String(6), nullable=False),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("registered_on", sa.Date, nullable=False, index=True),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("legal_representative", sa.String(100), nullable=False),
        sa.Column("service_types", sa.JSON, nullable=False),
        sa.Column("places_infant", sa.Integer, nullable=False),
        sa.Column("places_toddler", sa.Integer, nullable=False),
        sa.Column("places_older_toddler", sa.Integer, nullable=False),
        sa.Column("inclusive", sa.Boolean, nullable=False),
        sa.Column("operating_mode", sa.String(20), nullable=False),
        sa.Column("employer_run", sa.Boolean, nullable=False),
        sa.Column("sponsors", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("deregistered_on", sa.Date, nullable=True),
        sa.Column("deregistration_reason", sa.String(500), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Index("ix_registration_registrar_region_registered_on", "registrar_region", "registered_on"),
    )
    op.create_table(
        "kindergarten_class",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("ownership", sa.String(10), nullable=False),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("ledger_region", sa.String(6), nullable=False),
        sa.Column("recorded_on", sa.Date, nullable=False, index=True),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("classes", sa.Integer, nullable=False),
        sa.Column("places", sa.Integer, nullable=False),
        sa.Column("inclusive", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("closure_reason", sa.String(500), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "import_batch",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False, index=True),
        sa.Column("region", sa.String(6), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("accepted", sa.Integer, nullable=False),
        sa.Column("refused", sa.Integer, nullable=False),
        sa.Column("all_or_nothing", sa.Boolean, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_batch")
    op.drop_table("kindergarten_class")
    op.drop_table("registration")
    drop_platform_tables_v1()
