"""Events of the subsidy context (奖补, policy 三(二)4、三(四)): budget lines as finance sets them and
money as it is booked, so the joint meeting's office can set subsidy paid against budget. No
person travels here: a booking names the institution when there is one, never a practitioner."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

FundingLevel = Literal["city", "county"]


class BudgetSet(BaseModel):
    """A budget line created or re-set by finance (财政)."""

    programme: str
    year: int
    region: str
    level: FundingLevel
    amount_fen: int = Field(ge=0)
    set_at: dt.datetime = Field(description="when this amount was set: a later setting wins")


class SubsidyBooked(BaseModel):
    """Money moved on one budget line: a payment, or the reversal of one (negative)."""

    entry_id: str
    application_id: str
    programme: str
    year: int = Field(description="the year of the budget the application is charged to")
    county: str = Field(description="the county the application was reviewed in")
    uscc: str | None = Field(description="the institution it concerns, if any")
    region: str = Field(description="the budget line's region")
    level: FundingLevel
    kind: Literal["payment", "reversal"]
    amount_fen: int
    booked_on: dt.date
