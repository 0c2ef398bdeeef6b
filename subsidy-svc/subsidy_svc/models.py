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
    credit_status: Mapped[str] = mapped_column(sa.String(12), default="normal")  # trustworthy | normal | dishonest
    credit_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FindingFact(Base):
    """A finding as the supervision side announced it (an open critical one blocks awards)."""

    __tablename__ = "finding_fact"
    __table_args__ = (sa.Index("ix_finding_fact_uscc_status", "uscc", "status"),)

    finding_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18))
    severity: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(10))
    version: Mapped[int] = mapped_column(sa.Integer)


class DesignationFact(Base):
    """A 普惠 recognition or demonstration designation as the health bureau announced it."""

    __tablename__ = "designation_fact"
    __table_args__ = (sa.Index("ix_designation_fact_uscc_kind", "uscc", "kind"),)

    designation_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18))
    kind: Mapped[str] = mapped_column(sa.String(16))
    year: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(12))
    version: Mapped[int] = mapped_column(sa.Integer)


class CertificateFact(Base):
    """A certificate as the workforce service announced it: the ground of training subsidies
    (claimed within 12 months; +30% for 育婴员 and 保育员 at 高级工 or above)."""

    __tablename__ = "certificate_fact"

    certificate_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    employer_uscc: Mapped[str | None] = mapped_column(sa.String(18), nullable=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    occupation: Mapped[str] = mapped_column(sa.String(16))
    level: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    number: Mapped[str] = mapped_column(sa.String(60))
    issued_on: Mapped[dt.date] = mapped_column(sa.Date)


platform = platform_tables(Base.metadata)
