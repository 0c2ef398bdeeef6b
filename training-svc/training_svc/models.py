"""Tables of the training service."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.tables import platform_tables


class Base(DeclarativeBase):
    pass


platform = platform_tables(Base.metadata)
