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

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(sa.String(200))
    nature: Mapped[str] = mapped_column(sa.String(32), index=True)
    registrar: Mapped[str] = mapped_column(sa.String(16), index=True)  # 登记机关
    registrar_region: Mapped[str] = mapped_column(sa.String(6))
    county: Mapped[str] = mapped_column(sa.String(6), index=True)  # 所在县（市、区）
    registered_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    address: Mapped[str] = mapped_column(sa.String(300))
    legal_representative: Mapped[str] = mapped_column(sa.String(100))
    service_types: Mapped[list[str]] = mapped_column(sa.JSON)
    places_infant: Mapped[int] = mapped_column(sa.Integer)  # 乳儿班
    places_toddler: Mapped[int] = mapped_column(sa.Integer)  # 托小班
    places_older_toddler: Mapped[int] = mapped_column(sa.Integer)  # 托大班
    inclusive: Mapped[bool] = mapped_column(sa.Boolean)  # 普惠 (as declared)
    operating_mode: Mapped[str] = mapped_column(sa.String(20))
    employer_run: Mapped[bool] = mapped_column(sa.Boolean)
    sponsors: Mapped[list[str]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # active | deregistered
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(sa.String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(sa.String(80))


platform = platform_tables(Base.metadata)
