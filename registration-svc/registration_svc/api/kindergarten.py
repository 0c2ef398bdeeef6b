"""The education bureau's kindergarten 托班 ledger (台账)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from registration_svc import commands
from registration_svc.repository import KindergartenRepository
from registration_svc.schemas import (
    EndingCreate,
    KindergartenClassCreate,
    KindergartenClassPage,
    KindergartenClassRead,
    KindergartenClassUpdate,
)
from shared.auth import CurrentPrincipal
from shared.errors import not_found
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china

router = APIRouter(prefix="/v1/kindergarten-classes", tags=["kindergarten classes"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=KindergartenClassRead, summary="Enter a kindergarten's 托班 in the ledger")
async def record_class(body: KindergartenClassCreate, principal: CurrentPrincipal, session: WriteSession, request: Request) -> KindergartenClassRead:
    return await commands.record_kindergarten_class(session, principal, body, today_in_china(), request.headers.get("traceparent"))


@router.get("", response_model=KindergartenClassPage, summary="The ledger, by county and status")
async def list_classes(
    principal: CurrentPrincipal,
    session: ReadSession,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    status: str | None = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> KindergartenClassPage:
    rows = await KindergartenRepository(session, principal).page(county=county, status=status, after=after, limit=limit)
    return KindergartenClassPage(items=[commands.kindergarten_read(r) for r in rows], next=rows[-1].uscc if len(rows) == limit else None)


@router.get("/{uscc}", response_model=KindergartenClassRead, summary="One ledger entry")
async def get_class(uscc: str, principal: CurrentPrincipal, session: ReadSession) -> KindergartenClassRead:
    row = await KindergartenRepository(session, principal).get(uscc)
    if row is None:
        raise not_found("kindergarten ledger entry", uscc)
    return commands.kindergarten_read(row)


@router.patch("/{uscc}", response_model=KindergartenClassRead, summary="Amend a ledger entry")
async def amend_class(
    uscc: str, body: KindergartenClassUpdate, principal: CurrentPrincipal, session: WriteSession, request: Request
) -> KindergartenClassRead:
    return await commands.amend_kindergarten_class(session, principal, uscc, body, today_in_china(), request.headers.get("traceparent"))


@router.post("/{uscc}/closure", response_model=KindergartenClassRead, summary="The kindergarten stops its 托班")
async def close_class(uscc: str, body: EndingCreate, principal: CurrentPrincipal, session: WriteSession, request: Request) -> KindergartenClassRead:
    return await commands.close_kindergarten_class(session, principal, uscc, body, today_in_china(), request.headers.get("traceparent"))
