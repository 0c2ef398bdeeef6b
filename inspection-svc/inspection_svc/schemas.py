"""Request and response models of the supervision service."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class InboxEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    name: str
    nature: str
    registrar: str
    registrar_region: str
    health_region: str
    county: str
    registered_on: dt.date
    received_at: dt.datetime
    same_month: bool
    status: str


class InboxPage(BaseModel):
    items: list[InboxEntryRead]
    next: str | None
