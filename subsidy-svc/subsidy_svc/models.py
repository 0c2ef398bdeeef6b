"""Tables of the subsidy service (奖补)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.tables import platform_tables


class Base(DeclarativeBase):
    pass


class Institution(Base):
    """What the subsidy side knows of an institution, from registration and filing events: the
    facts eligibility is decided on (its own read model; it never reads another service's tables)."""

    __tablename__ = "institution"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    county: Mapped[str] = mapped_column(sa.String(6), index=True)
    nature: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    inclusive_declared: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)  # the registrar's 普惠 flag
    registration_status: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)  # active | deregistered
    registration_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    filing_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    filing_status: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)  # submitted | accepted | returned | cancelled
    filing_sequence: Mapped[int] = mapped_column(sa.Integer, default=0)
    filing_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


platform = platform_tables(Base.metadata)
