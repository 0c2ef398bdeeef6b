"""Events of the supervision context (监管): filing (备案) with the county health bureau."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

FilingStatus = Literal["submitted", "accepted", "returned", "cancelled"]


class FilingSnapshot(BaseModel):
    filing_id: str
    sequence: int = Field(description="1 for the institution's first filing, 2 for the next after a return, …")
    uscc: str
    name: str
    county: str = Field(description="the county health bureau the institution files with")
    status: FilingStatus
    submitted_on: dt.date
    answer_due_on: dt.date = Field(description="5 working days after receipt")
    return_due_on: dt.date = Field(description="15 working days after receipt")
    decided_on: dt.date | None = None
    reasons: list[str] = Field(default_factory=list, description="why it was returned")
    version: int


class FilingSubmitted(FilingSnapshot):
    pass


class FilingAccepted(FilingSnapshot):
    pass


class FilingReturned(FilingSnapshot):
    pass


class FilingCancelled(FilingSnapshot):
    pass
