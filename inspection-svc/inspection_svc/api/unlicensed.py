"""Unlicensed operators found and banned by market supervision (无证经营, 取缔)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import unlicensed
from inspection_svc.repository import UnlicensedRepository
from inspection_svc.schemas import Page, UnlicensedCreate, UnlicensedRead
from shared.auth import CurrentPrincipal, allow_departments
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china

router = APIRouter(prefix="/v1/unlicensed-operators", tags=["unlicensed operators"])


@router.post("", status_code=201, response_model=UnlicensedRead, summary="Record and ban an unlicensed operator")
async def record(body: UnlicensedCreate, principal: CurrentPrincipal, session: WriteSession) -> UnlicensedRead:
    return await unlicensed.record_unlicensed(session, principal, body, today_in_china())


@router.get("", dependencies=[allow_departments("weijian", "shichang", "gongan", "xiaofang")], response_model=Page[UnlicensedRead], summary="Unlicensed operators (`status=registered`: since registered, linked)")
async def list_operators(
    principal: CurrentPrincipal,
    session: ReadSession,
    status: Annotated[str | None, Query(pattern="^(banned|registered)$")] = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[UnlicensedRead]:
    rows = await UnlicensedRepository(session, principal).page(status=status, after=after, limit=limit)
    return Page[UnlicensedRead](items=[unlicensed.unlicensed_read(r, principal) for r in rows], next=rows[-1].id if len(rows) == limit else None)
