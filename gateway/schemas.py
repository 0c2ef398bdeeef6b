"""Request and response models of the gateway."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenResponse(BaseModel):
    """OAuth2 token response (RFC 6749 §5.1), with who the token speaks for."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str | None = None
    department: str | None
    region: str
    roles: list[str]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,79}$", description="login name, or client_id of a system")
    kind: Literal["person", "system"]
    secret: str = Field(min_length=12, max_length=200, description="password, or client secret")
    display_name: str = Field(min_length=1, max_length=100)
    department: str
    region: str = Field(pattern=r"^\d{6}$")
    roles: list[str] = Field(default_factory=lambda: ["clerk"], max_length=10)


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    kind: str
    display_name: str
    department: str
    region: str
    roles: list[str]
    disabled: bool
    created_at: dt.datetime
