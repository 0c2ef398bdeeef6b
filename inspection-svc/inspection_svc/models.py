"""Tables of the supervision service (监管)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.tables import platform_tables


class Base(DeclarativeBase):
    pass


class InboxEntry(Base):
    """A registration as the health bureau received it (卫生健康部门收到的登记信息)."""

    __tablename__ = "health_inbox"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    nature: Mapped[str] = mapped_column(sa.String(32))
    registrar: Mapped[str] = mapped_column(sa.String(16))
    registrar_region: Mapped[str] = mapped_column(sa.String(6))
    health_region: Mapped[str] = mapped_column(sa.String(6), index=True)  # 本级卫生健康部门
    county: Mapped[str] = mapped_column(sa.String(6), index=True)  # where the institution is
    registered_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    same_month: Mapped[bool] = mapped_column(sa.Boolean)
    status: Mapped[str] = mapped_column(sa.String(16))  # active | deregistered
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


platform = platform_tables(Base.metadata)
