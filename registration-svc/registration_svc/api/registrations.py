"""Registrations (登记): thin endpoints over the rules in `domain` and queries in `repository`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from shared.auth import CurrentPrincipal
from shared.db import utcnow
from shared.errors import Problem, forbidden, not_found
from shared.outbox import record
from shared.service import ReadSession, WriteSession
from shared.timeutil import month_span, today_in_china

from registration_svc import events
from registration_svc.domain.registration import RegistrationFacts, registration_violations
from registration_svc.models import Registration, platform
from registration_svc.repository import RegistrationRepository
from registration_svc.schemas import RegistrationCreate, RegistrationPage, RegistrationRead

router = APIRouter(prefix="/v1/registrations", tags=["registrations"])


def to_read(row: Registration) -> RegistrationRead:
    return RegistrationRead.model_validate(
        {
            **{c: getattr(row, c) for c in RegistrationRead.model_fields if c != "places"},
            "places": {"infant": row.places_infant, "toddler": row.places_toddler, "older_toddler": row.places_older_toddler},
        }
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RegistrationRead, summary="Register an institution (登记)")
async def create_registration(body: RegistrationCreate, principal: CurrentPrincipal, session: WriteSession, request: Request) -> RegistrationRead:
    if principal.department != body.registrar:
        raise forbidden(f"you act for {principal.department}, not for registrar {body.registrar}")
    if not principal.covers(body.registrar_region):
        raise forbidden(f"your office ({principal.region}) does not act for region {body.registrar_region}")
    if violations := registration_violations(RegistrationFacts.of(body), today_in_china()):
        raise Problem(
            422,
            "registration-rule",
            "The registration breaks a rule",
            "; ".join(v.message for v in violations),
            errors=[{"field": v.field, "rule": v.rule, "message": v.message} for v in violations],
        )
    repo = RegistrationRepository(session, principal)
    if await repo.uscc_taken(body.uscc):
        raise Problem(409, "duplicate-registration", "Already registered", f"USCC {body.uscc} is already registered")
    now = utcnow()
    row = Registration(
        id=str(uuid.uuid4()),
        **body.model_dump(exclude={"places"}),
        places_infant=body.places.infant,
        places_toddler=body.places.toddler,
        places_older_toddler=body.places.older_toddler,
        status="active",
        created_at=now,
        created_by=principal.sub,
        updated_at=now,
        updated_by=principal.sub,
    )
    await repo.add(row)
    created = to_read(row)
    await record(session, platform, events.registered(created, request.headers.get("traceparent")))
    return created


@router.get("/{uscc}", response_model=RegistrationRead, summary="One registration by USCC")
async def get_registration(uscc: str, principal: CurrentPrincipal, session: ReadSession) -> RegistrationRead:
    row = await RegistrationRepository(session, principal).get(uscc)
    if row is None:
        raise not_found("registration", uscc)
    return to_read(row)


@router.get("", response_model=RegistrationPage, summary="Registrations by county, nature, month, registrar, status")
async def list_registrations(
    principal: CurrentPrincipal,
    session: ReadSession,
    county: str | None = None,
    nature: str | None = None,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM of registered_on")] = None,
    registrar: str | None = None,
    status: str | None = None,
    after: Annotated[str | None, Query(description="cursor: the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> RegistrationPage:
    rows = await RegistrationRepository(session, principal).page(
        county=county, nature=nature, month=month_span(month) if month else None, registrar=registrar, status=status, after=after, limit=limit
    )
    return RegistrationPage(items=[to_read(r) for r in rows], next=rows[-1].uscc if len(rows) == limit else None)
