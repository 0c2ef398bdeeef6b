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
    # the county the workforce service keeps the practitioner in (the event's region): where the
    # claim is reviewed and budgeted, known with the certificate whatever order events arrive in
    county: Mapped[str | None] = mapped_column(sa.String(6), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    occupation: Mapped[str] = mapped_column(sa.String(16))
    level: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    number: Mapped[str] = mapped_column(sa.String(60))
    issued_on: Mapped[dt.date] = mapped_column(sa.Date)


class Programme(Base):
    """A subsidy programme as data: its rules and amounts (in fen), who reviews and who approves."""

    __tablename__ = "programme"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    clause: Mapped[str] = mapped_column(sa.String(300))  # the policy clause behind it
    reviewer_department: Mapped[str] = mapped_column(sa.String(16))
    approver_department: Mapped[str] = mapped_column(sa.String(16))
    rules: Mapped[dict] = mapped_column(sa.JSON)
    version: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Budget(Base):
    """A budget line: programme, year, region and funding level. Approvals commit against it and
    can never commit more than it holds."""

    __tablename__ = "budget"
    __table_args__ = (
        sa.UniqueConstraint("programme", "year", "region", "level", name="uq_budget_line"),
        sa.CheckConstraint("committed_fen <= amount_fen", name="ck_budget_within"),
        sa.CheckConstraint("committed_fen >= 0", name="ck_budget_committed_positive"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    programme: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int] = mapped_column(sa.Integer)
    region: Mapped[str] = mapped_column(sa.String(6))
    level: Mapped[str] = mapped_column(sa.String(8))  # city | county
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    committed_fen: Mapped[int] = mapped_column(sa.BigInteger)
    created_by: Mapped[str] = mapped_column(sa.String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Application(Base):
    """A claim: applied for, or created by an event that makes it certain (a certificate issued)."""

    __tablename__ = "application"
    __table_args__ = (
        sa.Index("ix_application_status_region", "status", "region"),
        # once per institution (per month, for fee reductions) or per certificate, while it stands
        sa.Index(
            "uq_application_claim",
            "programme",
            "claim_key",
            unique=True,
            sqlite_where=sa.text("status NOT IN ('rejected', 'reversed')"),
            postgresql_where=sa.text("status NOT IN ('rejected', 'reversed')"),
        ),
        # a certificate once, whichever training subsidy it earns (三(四)2 …补贴或…补贴)
        sa.Index(
            "uq_application_certificate",
            "certificate_id",
            unique=True,
            sqlite_where=sa.text("status NOT IN ('rejected', 'reversed')"),
            postgresql_where=sa.text("status NOT IN ('rejected', 'reversed')"),
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    programme: Mapped[str] = mapped_column(sa.String(40))
    programme_version: Mapped[int] = mapped_column(sa.Integer)  # the programme's rules it was decided under …
    rules: Mapped[dict] = mapped_column(sa.JSON)  # … as they were then (a later change rewrites no history)
    claim_key: Mapped[str] = mapped_column(sa.String(80))
    year: Mapped[int] = mapped_column(sa.Integer)
    region: Mapped[str] = mapped_column(sa.String(6))  # the county it is reviewed in
    uscc: Mapped[str | None] = mapped_column(sa.String(18), nullable=True, index=True)
    practitioner_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True, index=True)
    certificate_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    lines: Mapped[list[dict]] = mapped_column(sa.JSON)  # [{"region", "level", "amount_fen"}]
    details: Mapped[dict] = mapped_column(sa.JSON)  # e.g. a fee reduction's counts and period
    origin: Mapped[str] = mapped_column(sa.String(10))  # applied | automatic
    # submitted | reviewed | approved | disbursed | rejected | reversed; recorded (a fee reduction: never paid)
    status: Mapped[str] = mapped_column(sa.String(12))
    eligibility: Mapped[list[dict]] = mapped_column(sa.JSON)  # the criteria as last checked
    created_on: Mapped[dt.date] = mapped_column(sa.Date)
    created_by: Mapped[str] = mapped_column(sa.String(80))
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    approved_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)  # the month its approvals are reported in
    disbursed_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    batch_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    reason: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)  # of a rejection or reversal
    version: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """Money moved: a payment per budget line, or its reversal. Never updated, never deleted."""

    __tablename__ = "ledger_entry"
    __table_args__ = (sa.UniqueConstraint("application_id", "kind", "level", name="uq_ledger_once"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("application.id"), index=True)
    batch_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # payment | reversal
    programme: Mapped[str] = mapped_column(sa.String(40))
    region: Mapped[str] = mapped_column(sa.String(6))
    level: Mapped[str] = mapped_column(sa.String(8))
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)  # negative for a reversal
    booked_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    booked_by: Mapped[str] = mapped_column(sa.String(80))


class ApprovalLine(Base):
    """An approval standing on one budget line (an application's `lines`, one row each): what the
    monthly report sums in the database. Written at approval, removed when the approval is reversed."""

    __tablename__ = "approval_line"
    __table_args__ = (sa.Index("ix_approval_line_approved_on", "approved_on", "region"),)

    application_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("application.id"), primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    programme: Mapped[str] = mapped_column(sa.String(40))
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    approved_on: Mapped[dt.date] = mapped_column(sa.Date)


class DisbursementBatch(Base):
    __tablename__ = "disbursement_batch"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    paid: Mapped[list[str]] = mapped_column(sa.JSON)
    skipped: Mapped[list[dict]] = mapped_column(sa.JSON)  # [{"id", "reason"}]
    total_fen: Mapped[int] = mapped_column(sa.BigInteger)
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FeeStandard(Base):
    """The 普惠 fee standard for a year, county and service type (三(二)3 每年确定并适时调整…收费标准，
    向社会公开): each adjustment a new version from its day on; the one before kept, superseded."""

    __tablename__ = "fee_standard"
    __table_args__ = (
        sa.UniqueConstraint("year", "county", "service_type", "version", name="uq_fee_standard_version"),
        # one standard in force a year, county and service type
        sa.Index(
            "uq_fee_standard_current",
            "year",
            "county",
            "service_type",
            unique=True,
            sqlite_where=sa.text("superseded_on IS NULL"),
            postgresql_where=sa.text("superseded_on IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    county: Mapped[str] = mapped_column(sa.String(6))
    service_type: Mapped[str] = mapped_column(sa.String(12))  # full_day | half_day | hourly | temporary
    cap_fen: Mapped[int] = mapped_column(sa.BigInteger)
    unit: Mapped[str] = mapped_column(sa.String(8))  # month | hour | day
    reference: Mapped[str] = mapped_column(sa.String(200))  # the notice's 文号
    published_on: Mapped[dt.date] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(sa.Integer)  # 1 as first set, +1 an adjustment
    effective_from: Mapped[dt.date] = mapped_column(sa.Date)
    superseded_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)  # the day the next version took over


platform = platform_tables(Base.metadata)
