"""Tables of the supervision service (监管)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import BigIntPK, UTCDateTime
from shared.tables import platform_tables


class Base(DeclarativeBase):
    pass


class InboxEntry(Base):
    """A registration (or a kindergarten's 托班) as the health bureau received it (收件箱)."""

    __tablename__ = "health_inbox"
    __table_args__ = (
        sa.Index("ix_health_inbox_health_region_registered_on", "health_region", "registered_on"),
        sa.Index("ix_health_inbox_county_registered_on", "county", "registered_on"),
    )

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # institution | kindergarten_class
    name: Mapped[str] = mapped_column(sa.String(200))
    nature: Mapped[str] = mapped_column(sa.String(32))  # the registration's nature, or `kindergarten`
    registrar: Mapped[str] = mapped_column(sa.String(16))  # bianban | minzheng | shichang | jiaoyu
    registrar_region: Mapped[str] = mapped_column(sa.String(6))
    health_region: Mapped[str] = mapped_column(sa.String(6))  # 本级卫生健康部门
    county: Mapped[str] = mapped_column(sa.String(6))  # where the institution is
    address: Mapped[str] = mapped_column(sa.String(300))
    registered_on: Mapped[dt.date] = mapped_column(sa.Date)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # first arrival, never moved
    same_month: Mapped[bool] = mapped_column(sa.Boolean)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # active | deregistered | closed
    ended_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    version: Mapped[int] = mapped_column(sa.Integer)  # the registration's version last applied
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Filing(Base):
    """A filing (备案) with the county health bureau where the institution is located."""

    __tablename__ = "filing"
    __table_args__ = (
        sa.Index("ix_filing_county_status", "county", "status"),
        sa.UniqueConstraint("uscc", "sequence", name="uq_filing_uscc_sequence"),
        # one filing submitted or accepted at a time, whatever two clerks do at once
        sa.Index(
            "uq_filing_open",
            "uscc",
            unique=True,
            sqlite_where=sa.text("status IN ('submitted', 'accepted')"),
            postgresql_where=sa.text("status IN ('submitted', 'accepted')"),
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    sequence: Mapped[int] = mapped_column(sa.Integer)  # the institution's 1st, 2nd, … filing
    name: Mapped[str] = mapped_column(sa.String(200))
    county: Mapped[str] = mapped_column(sa.String(6))
    status: Mapped[str] = mapped_column(sa.String(16))  # submitted | accepted | returned | cancelled
    materials: Mapped[dict[str, bool]] = mapped_column(sa.JSON)
    serves_meals: Mapped[bool] = mapped_column(sa.Boolean)
    hygiene_rating: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)  # 卫生评价: 合格 | 不合格
    submitted_on: Mapped[dt.date] = mapped_column(sa.Date)  # received by the health bureau
    answer_due_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    return_due_on: Mapped[dt.date] = mapped_column(sa.Date)
    decided_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    reasons: Mapped[list[str]] = mapped_column(sa.JSON)
    version: Mapped[int] = mapped_column(sa.Integer)
    created_by: Mapped[str] = mapped_column(sa.String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Reconciliation(Base):
    """A pass over the registration feed: what it read and what it found missing and repaired."""

    __tablename__ = "reconciliation"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    trigger: Mapped[str] = mapped_column(sa.String(16))  # manual | schedule
    actor: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    read: Mapped[int] = mapped_column(sa.Integer)
    repaired: Mapped[int] = mapped_column(sa.Integer)
    repaired_usccs: Mapped[list[str]] = mapped_column(sa.JSON)


platform = platform_tables(Base.metadata)
