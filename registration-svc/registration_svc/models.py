"""Tables of the registration service (登记)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.tables import platform_tables


class Base(DeclarativeBase):
    pass


class Registration(Base):
    """An institution as its registrar recorded it (登记)."""

    __tablename__ = "registration"
    __table_args__ = (sa.Index("ix_registration_registrar_region_registered_on", "registrar_region", "registered_on"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(sa.String(200))
    nature: Mapped[str] = mapped_column(sa.String(32), index=True)  # 机构性质
    registrar: Mapped[str] = mapped_column(sa.String(16), index=True)  # 登记机关
    registrar_region: Mapped[str] = mapped_column(sa.String(6))
    county: Mapped[str] = mapped_column(sa.String(6), index=True)  # 所在县（市、区）
    registered_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    address: Mapped[str] = mapped_column(sa.String(300))
    legal_representative: Mapped[str] = mapped_column(sa.String(100))  # 法定代表人
    service_types: Mapped[list[str]] = mapped_column(sa.JSON)
    places_infant: Mapped[int] = mapped_column(sa.Integer)  # 乳儿班
    places_toddler: Mapped[int] = mapped_column(sa.Integer)  # 托小班
    places_older_toddler: Mapped[int] = mapped_column(sa.Integer)  # 托大班
    inclusive: Mapped[bool] = mapped_column(sa.Boolean)  # 普惠 (as declared)
    operating_mode: Mapped[str] = mapped_column(sa.String(20))  # 举办形式
    employer_run: Mapped[bool] = mapped_column(sa.Boolean)  # 单位办托
    sponsors: Mapped[list[str]] = mapped_column(sa.JSON)  # 举办单位
    area: Mapped[str] = mapped_column(sa.String(8), server_default="urban")  # 城镇 urban / 农村 rural
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # active | deregistered
    deregistered_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)  # 注销日期
    deregistration_reason: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(sa.String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(sa.String(80))


class UsccInUse(Base):
    """Each USCC this service holds, once: an institution's registration or a kindergarten's 托班
    ledger entry, never both. The health bureau's inbox keeps one entry a USCC (DESIGN §5: the
    ledger is pushed to health the same way), so a second record under one USCC would be lost
    there; this key, written with either record, refuses it even when both arrive at once."""

    __tablename__ = "uscc_in_use"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # registration | kindergarten_class


class KindergartenClass(Base):
    """A kindergarten's 2–3-year classes (托班) in the county education bureau's ledger (台账)."""

    __tablename__ = "kindergarten_class"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)  # the kindergarten's
    name: Mapped[str] = mapped_column(sa.String(200))
    ownership: Mapped[str] = mapped_column(sa.String(10))  # public 公办 | private 民办
    county: Mapped[str] = mapped_column(sa.String(6), index=True)
    ledger_region: Mapped[str] = mapped_column(sa.String(6))  # the education bureau's region
    recorded_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    address: Mapped[str] = mapped_column(sa.String(300))
    classes: Mapped[int] = mapped_column(sa.Integer)  # 托班数
    places: Mapped[int] = mapped_column(sa.Integer)
    inclusive: Mapped[bool] = mapped_column(sa.Boolean)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # active | closed
    closed_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    closure_reason: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(sa.String(80))


class ImportBatch(Base):
    """One import of a bureau's existing list, with its per-row report."""

    __tablename__ = "import_batch"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    actor: Mapped[str] = mapped_column(sa.String(80), index=True)
    region: Mapped[str] = mapped_column(sa.String(6))
    rows: Mapped[int] = mapped_column(sa.Integer)
    accepted: Mapped[int] = mapped_column(sa.Integer)
    refused: Mapped[int] = mapped_column(sa.Integer)
    all_or_nothing: Mapped[bool] = mapped_column(sa.Boolean)
    report: Mapped[list[dict]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


platform = platform_tables(Base.metadata)
