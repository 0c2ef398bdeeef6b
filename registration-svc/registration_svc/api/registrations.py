"""Registrations (登记): thin endpoints over `commands` (writes) and `repository` (reads)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status

from registration_svc import commands
from registration_svc.repository import RegistrationRepository
from registration_svc.schemas import (
    EndingCreate,
    RegistrationCount,
    RegistrationCounts,
    RegistrationCreate,
    RegistrationPage,
    RegistrationRead,
    RegistrationUpdate,
)
from shared.auth import CurrentPrincipal
from shared.departments import REGISTRARS
from shared.errors import forbidden, not_found
from shared.events.registration import Nature
from shared.service import ReadSession, WriteSession
from shared.timeutil import MONTH_PATTERN, month_span, today_in_china

router = APIRouter(prefix="/v1/registrations", tags=["registrations"])
MONTH = Query(pattern=MONTH_PATTERN, description="YYYY-MM")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RegistrationRead, summary="Register an institution (登记)")
async def create_registration(body: RegistrationCreate, principal: CurrentPrincipal, session: WriteSession, request: Request) -> RegistrationRead:
    return await commands.register(session, principal, body, today_in_china(), request.headers.get("traceparent"))


@router.get("", response_model=RegistrationPage, summary="Registrations by county, nature, month, registrar, status")
async def list_registrations(
    principal: CurrentPrincipal,
    session: ReadSession,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    nature: Nature | None = None,
    month: Annotated[str | None, MONTH] = None,
    registrar: Annotated[str | None, Query(pattern="^(" + "|".join(REGISTRARS) + ")$")] = None,
    status: Literal["active", "deregistered"] | None = None,
    after: Annotated[str | None, Query(description="cursor: the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> RegistrationPage:
    rows = await RegistrationRepository(session, principal).page(
        county=county, nature=nature, month=month_span(month) if month else None, registrar=registrar, status=status, after=after, limit=limit
    )
    return RegistrationPage(items=[commands.registration_read(r) for r in rows], next=rows[-1].uscc if len(rows) == limit else None)


@router.get("/counts", response_model=RegistrationCounts, summary="Registrations of a month per registering office and registrar")
async def count_registrations(
    principal: CurrentPrincipal,
    session: ReadSession,
    month: Annotated[str, MONTH],
    region: Annotated[str | None, Query(pattern=r"^\d{6}$", description="registering office")] = None,
) -> RegistrationCounts:
    if region and not principal.covers(region):  # 属地管理 (DESIGN §5): county staff count their own county only
        raise forbidden(f"your office ({principal.region}) does not see region {region}")
    rows = await RegistrationRepository(session, principal).counts(month_span(month), region)
    return RegistrationCounts(month=month, items=[RegistrationCount(registrar_region=o, registrar=r, registered=n) for o, r, n in rows])


@router.get("/{uscc}", response_model=RegistrationRead, summary="One registration by USCC")
async def get_registration(uscc: str, principal: CurrentPrincipal, session: ReadSession) -> RegistrationRead:
    row = await RegistrationRepository(session, principal).get(uscc)
    if row is None:
        raise not_found("registration", uscc)
    return commands.registration_read(row)


@router.patch("/{uscc}", response_model=RegistrationRead, summary="Amend a registration (变更)")
async def amend_registration(
    uscc: str, body: RegistrationUpdate, principal: CurrentPrincipal, session: WriteSession, request: Request
) -> RegistrationRead:
    return await commands.amend_registration(session, principal, uscc, body, today_in_china(), request.headers.get("traceparent"))


@router.post("/{uscc}/deregistration", response_model=RegistrationRead, summary="Cancel a registration (注销)")
async def deregister(uscc: str, body: EndingCreate, principal: CurrentPrincipal, session: WriteSession, request: Request) -> RegistrationRead:
    return await commands.deregister(session, principal, uscc, body, today_in_china(), request.headers.get("traceparent"))
