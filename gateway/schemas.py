"""Request and response models of the gateway."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

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


class AccountPage(BaseModel):
    items: list[AccountRead]
    next: str | None = Field(description="the `after` of the next page (a username); null on the last")


NewPassword = Annotated[str, Field(min_length=12, max_length=200, description="as long as a new account's; every sign-in of the account ends")]


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: NewPassword


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old_password: str = Field(max_length=200, description="the account's current password")
    new_password: NewPassword


Region = Annotated[str, Field(pattern=r"^\d{6}$")]
EventType = Annotated[str, Field(max_length=160)]


class EventTypeRead(BaseModel):
    type: str
    topic: str
    summary: str


class WebhookBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(max_length=500, description="where events are POSTed (http or https)")
    event_types: list[EventType] = Field(default_factory=list, max_length=60, description="empty: every type the bureau may read")
    regions: list[Region] = Field(default_factory=list, max_length=9, description="empty: every region the office covers")
    description: str = Field("", max_length=200)


class WebhookCreate(WebhookBody):
    secret: str | None = Field(
        None, min_length=24, max_length=200, description="the HMAC key; made for you (and shown once) when absent"
    )


class WebhookUpdate(WebhookBody):
    secret: str | None = Field(None, min_length=24, max_length=200, description="a new HMAC key; the old one is kept when absent")


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    department: str
    region: str
    url: str
    event_types: list[str]
    regions: list[str]
    description: str
    status: Literal["active", "paused"]
    paused_reason: str | None = Field(description="why deliveries stopped (repeated failure), for the bureau to fix")
    paused_at: dt.datetime | None
    failures_in_a_row: int
    pending: int = Field(0, description="deliveries still owed")
    created_by: str
    created_at: dt.datetime
    version: int


class WebhookPage(BaseModel):
    items: list[WebhookRead]
    next: str | None = Field(description="the `after` of the next page; null on the last")


class WebhookCreated(WebhookRead):
    secret: str = Field(description="shown this once: keep it to check the X-Tuoyu-Signature of each delivery")


class ReplayCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: dt.date = Field(description="from this day (China time) on")
    until: dt.date | None = Field(None, description="up to, not including, this day")


class ReplayRead(BaseModel):
    round: int
    deliveries: int


class DeliveryAttempt(BaseModel):
    at: dt.datetime
    status_code: int | None
    error: str | None
    ms: int


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int = Field(description="the delivery's id (X-Tuoyu-Delivery)")
    event_id: str
    event_type: str
    round: int = Field(description="0 live, then one per replay")
    status: Literal["pending", "delivered"]
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    attempt_log: list[DeliveryAttempt]
    created_at: dt.datetime
    delivered_at: dt.datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next: int | None
