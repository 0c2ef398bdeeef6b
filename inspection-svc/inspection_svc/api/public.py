"""信息公示: what the public may see without signing in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.repository import FilingRepository
from inspection_svc.schemas import PublicReturnedFiling
from shared.service import ReadSession

router = APIRouter(prefix="/v1/public", tags=["public"])


@router.get("/returned-filings", response_model=list[PublicReturnedFiling], summary="Filings returned, with their reasons (公示)")
async def returned_filings(
    session: ReadSession,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[PublicReturnedFiling]:
    rows = await FilingRepository(session).returned_publicly(county, limit)
    return [
        PublicReturnedFiling(name=r.name, uscc=r.uscc, county=r.county, submitted_on=r.submitted_on, decided_on=r.decided_on, reasons=r.reasons)
        for r in rows
    ]
