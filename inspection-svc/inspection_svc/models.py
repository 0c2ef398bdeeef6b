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
        sa.Index("ix_health_inbox_county_name_key", "county", "name_key"),
    )

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # institution | kindergarten_class
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200))  # the name as unlicensed operators are matched
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
    places: Mapped[int] = mapped_column(sa.Integer, server_default="0")  # 托位
    area: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)  # 城镇 urban / 农村 rural (institutions)
    required_carers: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # by 1:3 / 1:5 / 1:7 (institutions)
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
    answer_by: Mapped[dt.date] = mapped_column(sa.Date, index=True)  # the one of the two that applies (`answer_due`)
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


class Plan(Base):
    """A spot-check plan (双随机、一公开): an agency's checklist (一单), target and inspector databases
    (两库) for a region and year."""

    __tablename__ = "plan"
    __table_args__ = (sa.Index("ix_plan_agency_region_year", "agency", "region", "year"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    agency: Mapped[str] = mapped_column(sa.String(16))
    region: Mapped[str] = mapped_column(sa.String(6))
    year: Mapped[int] = mapped_column(sa.Integer)
    sampling_ratio: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    sample_size: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    weighted: Mapped[bool] = mapped_column(sa.Boolean)  # by risk and credit
    checklist: Mapped[list[str]] = mapped_column(sa.JSON)
    inspectors: Mapped[list[dict]] = mapped_column(sa.JSON)  # [{"id", "name", "conflicts": [uscc]}]
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Draw(Base):
    """The draw of a plan, with everything needed to re-run and verify it."""

    __tablename__ = "draw"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("plan.id"), unique=True)
    seed: Mapped[str] = mapped_column(sa.String(128))
    targets: Mapped[list[list]] = mapped_column(sa.JSON)  # [[uscc, weight]] sorted
    inspectors: Mapped[list[list]] = mapped_column(sa.JSON)  # [[pseudonym, [conflicts with drawn institutions]]] sorted, as published
    # the secret that makes the published pseudonyms of the plan's inspectors (domain.draw.pseudonym); never
    # published, so the agency alone can tell (or show an auditor) who each was. None: drawn with ids, before pseudonyms
    inspector_salt: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    target_hash: Mapped[str] = mapped_column(sa.String(64))
    inspector_hash: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.Integer)
    assignments: Mapped[list[dict]] = mapped_column(sa.JSON)  # [{"uscc", "inspectors": [pseudonym, pseudonym]}]
    drawn_by: Mapped[str] = mapped_column(sa.String(80))
    drawn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Inspection(Base):
    __tablename__ = "inspection"
    __table_args__ = (sa.Index("ix_inspection_agency_county_inspected_on", "agency", "county", "inspected_on"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    county: Mapped[str] = mapped_column(sa.String(6))
    agency: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str] = mapped_column(sa.String(16))  # spot_check | routine | complaint | special
    plan_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True, index=True)
    inspected_on: Mapped[dt.date] = mapped_column(sa.Date)
    inspectors: Mapped[list[str]] = mapped_column(sa.JSON)
    results: Mapped[dict[str, str]] = mapped_column(sa.JSON)  # checklist item → pass | fail | not_applicable
    # a drawn inspector replaced: [{"replaces", "by", "reason"}] (a spot check is made by those the draw assigned)
    substitutions: Mapped[list[dict]] = mapped_column(sa.JSON, server_default=sa.text("'[]'"))
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Finding(Base):
    """A finding of an inspection: its severity, the rectification deadline, and when a follow-up
    verified the correction."""

    __tablename__ = "finding"
    __table_args__ = (
        sa.Index("ix_finding_uscc_status", "uscc", "status"),
        sa.Index("ix_finding_county_status_deadline", "county", "status", "deadline"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("inspection.id"), index=True)
    uscc: Mapped[str] = mapped_column(sa.String(18))
    county: Mapped[str] = mapped_column(sa.String(6))
    agency: Mapped[str] = mapped_column(sa.String(16))
    code: Mapped[str] = mapped_column(sa.String(40))
    severity: Mapped[str] = mapped_column(sa.String(10))  # minor | major | critical
    description: Mapped[str] = mapped_column(sa.String(1000))
    raised_on: Mapped[dt.date] = mapped_column(sa.Date)
    deadline: Mapped[dt.date] = mapped_column(sa.Date)  # 整改期限
    status: Mapped[str] = mapped_column(sa.String(10))  # open | closed
    verified_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)  # correction verified
    follow_up_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    version: Mapped[int] = mapped_column(sa.Integer)


class FollowUp(Base):
    __tablename__ = "follow_up"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("inspection.id"), index=True)
    followed_on: Mapped[dt.date] = mapped_column(sa.Date)
    inspectors: Mapped[list[str]] = mapped_column(sa.JSON)
    outcome: Mapped[str] = mapped_column(sa.String(16), server_default="rectified")  # rectified | not_rectified | extended
    checked_findings: Mapped[list[str]] = mapped_column(sa.JSON, server_default=sa.text("'[]'"))
    closed_findings: Mapped[list[str]] = mapped_column(sa.JSON)  # those verified rectified
    new_deadline: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)  # 延期整改: the deadline granted
    notes: Mapped[str] = mapped_column(sa.String(1000))
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Credit(Base):
    """An institution's credit standing (守信联合激励 / 失信联合惩戒), as last decided."""

    __tablename__ = "credit"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    county: Mapped[str] = mapped_column(sa.String(6), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), index=True)  # trustworthy | normal | dishonest
    reasons: Mapped[list[str]] = mapped_column(sa.JSON)
    since: Mapped[dt.date] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CreditAppeal(Base):
    __tablename__ = "credit_appeal"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    reason: Mapped[str] = mapped_column(sa.String(1000))
    filed_on: Mapped[dt.date] = mapped_column(sa.Date)
    filed_by: Mapped[str] = mapped_column(sa.String(80))
    status: Mapped[str] = mapped_column(sa.String(10))  # pending | upheld | rejected
    decided_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(sa.String(1000), nullable=True)


class UnlicensedOperator(Base):
    """An operator found running childcare without registration (无证经营), banned (取缔) by market
    supervision, and linked to its registration if it registers later."""

    __tablename__ = "unlicensed_operator"
    __table_args__ = (sa.Index("ix_unlicensed_operator_county_name_key", "county", "name_key"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200))  # the name as matched
    uscc: Mapped[str | None] = mapped_column(sa.String(18), nullable=True, index=True)  # if it has one
    county: Mapped[str] = mapped_column(sa.String(6))
    address: Mapped[str] = mapped_column(sa.String(300))
    operator_person: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)  # personal data
    found_on: Mapped[dt.date] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.String(1000))
    banned_on: Mapped[dt.date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(12))  # banned | registered
    linked_uscc: Mapped[str | None] = mapped_column(sa.String(18), nullable=True)
    linked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(sa.String(80))


class Evaluation(Base):
    """A third-party quality evaluation (托育机构质量评估, WS/T 821—2023), public after its review window."""

    __tablename__ = "evaluation"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    county: Mapped[str] = mapped_column(sa.String(6))
    evaluator: Mapped[str] = mapped_column(sa.String(80))
    evaluated_on: Mapped[dt.date] = mapped_column(sa.Date)
    scores: Mapped[dict[str, int]] = mapped_column(sa.JSON)
    rating: Mapped[str] = mapped_column(sa.String(10))
    review_ends_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(sa.String(12), index=True)  # in_review | disputed | published
    objection: Mapped[str | None] = mapped_column(sa.String(1000), nullable=True)
    published_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    version: Mapped[int] = mapped_column(sa.Integer)


class Designation(Base):
    """The health bureau's designations subsidies depend on: 普惠 recognition for a year, and
    demonstration units (示范点: county nominates, city confirms)."""

    __tablename__ = "designation"
    __table_args__ = (sa.Index("ix_designation_uscc_kind_year", "uscc", "kind", "year"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # inclusive | demonstration
    uscc: Mapped[str] = mapped_column(sa.String(18))
    name: Mapped[str] = mapped_column(sa.String(200))
    county: Mapped[str] = mapped_column(sa.String(6), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(12))  # recognised | nominated | confirmed | withdrawn
    criteria: Mapped[list[dict]] = mapped_column(sa.JSON)  # [{"criterion", "met", "detail"}] as checked
    monthly_fee_fen: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    fee_cap_fen: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    fee_standard_ref: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    decided_on: Mapped[dt.date] = mapped_column(sa.Date)
    decided_by: Mapped[str] = mapped_column(sa.String(80))
    reason: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    version: Mapped[int] = mapped_column(sa.Integer)


class StaffFact(Base):
    """A practitioner as the workforce service announced them: staffing facts for supervision."""

    __tablename__ = "staff_fact"
    __table_args__ = (sa.Index("ix_staff_fact_employer_employed", "employer_uscc", "employed"),)

    practitioner_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    employer_uscc: Mapped[str] = mapped_column(sa.String(18))
    occupation: Mapped[str] = mapped_column(sa.String(16))
    volunteer: Mapped[bool] = mapped_column(sa.Boolean)
    employed: Mapped[bool] = mapped_column(sa.Boolean)
    version: Mapped[int] = mapped_column(sa.Integer)  # of the practitioner record last applied
    certified_occupations: Mapped[list[str]] = mapped_column(sa.JSON)
    health_valid_until: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)  # None: no valid check (or the latest unfit)
    health_checked_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)  # the latest health check, by date


class ExchangeReceipt(Base):
    """What the health bureau received of the registrars' streams, as it arrived: the evidence
    of the push (each event's id, its link in the producer's chain, and when it came)."""

    __tablename__ = "exchange_receipt"
    __table_args__ = (sa.Index("ix_exchange_receipt_subject", "subject"),)

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(120))
    type: Mapped[str] = mapped_column(sa.String(160))
    subject: Mapped[str] = mapped_column(sa.String(64))
    chainprev: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    chainhash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    event_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class BudgetFact(Base):
    """A subsidy budget line as finance set it, from the subsidy service's events (for the tracker)."""

    __tablename__ = "budget_fact"

    programme: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # city | county
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # a later setting wins


class PaymentFact(Base):
    """Money booked on a budget line (a payment, or its reversal negative), from the subsidy
    service's events (for the tracker)."""

    __tablename__ = "payment_fact"
    __table_args__ = (sa.Index("ix_payment_fact_year_region", "year", "region"),)

    entry_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(sa.String(36))
    programme: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int] = mapped_column(sa.Integer)
    county: Mapped[str] = mapped_column(sa.String(6))
    uscc: Mapped[str | None] = mapped_column(sa.String(18), nullable=True)
    region: Mapped[str] = mapped_column(sa.String(6))
    level: Mapped[str] = mapped_column(sa.String(8))
    kind: Mapped[str] = mapped_column(sa.String(10))  # payment | reversal
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    booked_on: Mapped[dt.date] = mapped_column(sa.Date)


class TrackerTarget(Base):
    """A milestone of the plan (二、发展目标) as the joint meeting's office sets it: data, not code."""

    __tablename__ = "tracker_target"

    code: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    clause: Mapped[str] = mapped_column(sa.String(300))  # what in the plan it stands for
    indicator: Mapped[str] = mapped_column(sa.String(40))
    scope: Mapped[str] = mapped_column(sa.String(12))  # each_county | city
    threshold: Mapped[float] = mapped_column(sa.Float)  # a count, or a share in percent
    from_year: Mapped[int] = mapped_column(sa.Integer)
    due_year: Mapped[int] = mapped_column(sa.Integer)
    version: Mapped[int] = mapped_column(sa.Integer)
    updated_by: Mapped[str] = mapped_column(sa.String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


platform = platform_tables(Base.metadata)
