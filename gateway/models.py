"""Tables of the gateway: the accounts of people and department systems."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime


class Base(DeclarativeBase):
    pass


class Account(Base):
    """A person (password) or a department system (client credentials)."""

    __tablename__ = "account"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)  # or client_id for systems
    kind: Mapped[str] = mapped_column(sa.String(16))  # person | system
    secret_hash: Mapped[str] = mapped_column(sa.String(200))  # argon2id
    display_name: Mapped[str] = mapped_column(sa.String(100))
    department: Mapped[str] = mapped_column(sa.String(16))
    region: Mapped[str] = mapped_column(sa.String(6))
    roles: Mapped[list[str]] = mapped_column(sa.JSON)
    disabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RefreshToken(Base):
    """A refresh token, stored as its hash. Each use replaces it (rotation); presenting a replaced
    one again means it was stolen, and its whole family is revoked."""

    __tablename__ = "refresh_token"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    family: Mapped[str] = mapped_column(sa.String(36), index=True)
    account_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("account.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
