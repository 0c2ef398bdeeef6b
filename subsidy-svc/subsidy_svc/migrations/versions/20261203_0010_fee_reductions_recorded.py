"""fee reductions recorded, not paid: no clause pays them back and none sets a cap (三(二)4)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime, utcnow

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

programme = sa.table("programme", sa.column("code"), sa.column("name"), sa.column("rules", sa.JSON), sa.column("version"), sa.column("updated_at", UTCDateTime))


def _set(name: str, rules: dict) -> None:
    op.execute(
        sa.update(programme)
        .where(programme.c.code == "fee_reduction")
        .values(name=name, rules=rules, version=programme.c.version + 1, updated_at=utcnow())
    )


def upgrade() -> None:
    _set("公办托育机构烈士子女、困境儿童费用减免（登记，不拨付）", {"once_per": "institution_month"})


def downgrade() -> None:
    _set("公办托育机构烈士子女、困境儿童费用减免", {"cap_fen_per_child_month": 200000, "once_per": "institution_month"})
