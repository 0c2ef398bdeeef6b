"""Unlicensed operators: recorded and banned (取缔) by market supervision, and linked to their
registration when they register (an operator that later registers is linked, not duplicated)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import announce, require_department
from inspection_svc.domain.inbox import Arrival
from inspection_svc.domain.unlicensed import name_key
from inspection_svc.models import UnlicensedOperator, platform
from inspection_svc.repository import UnlicensedRepository
from inspection_svc.schemas import UnlicensedCreate, UnlicensedRead
from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_problem, forbidden

MARKET = "shichang"


def unlicensed_read(row: UnlicensedOperator, principal: Principal | None) -> UnlicensedRead:
    """The operator's own person is shown to market supervision only."""
    person = row.operator_person if principal is not None and principal.department == MARKET else None
    return UnlicensedRead(
        id=row.id,
        name=row.name,
        county=row.county,
        address=row.address,
        uscc=row.uscc,
        operator_person=person,
        found_on=row.found_on,
        banned_on=row.banned_on,
        description=row.description,
        status=row.status,
        linked_uscc=row.linked_uscc,
    )


def _snapshot(row: UnlicensedOperator) -> dict:
    return {
        "operator_id": row.id,
        "name": row.name,
        "county": row.county,
        "address": row.address,
        "found_on": row.found_on,
        "banned_on": row.banned_on,
        "status": row.status,
        "linked_uscc": row.linked_uscc,
    }


async def record_unlicensed(session: AsyncSession, principal: Principal, body: UnlicensedCreate, today: dt.date) -> UnlicensedRead:
    require_department(principal, MARKET, "banning an unlicensed operator")
    if not principal.covers(body.county):
        raise forbidden(f"your office ({principal.region}) does not act in {body.county}")
    if body.found_on > today:
        raise field_problem("found_on", "not_in_future", "found_on is in the future")
    repo = UnlicensedRepository(session, principal)
    key = name_key(body.name)
    if registered := await repo.registered_match(uscc=body.uscc, name_key=key, county=body.county):
        raise Problem(
            409,
            "registered-operator",
            "The operator is registered",
            f"{registered.name} ({registered.uscc}) is registered: inspect it instead",
            uscc=registered.uscc,
        )
    if await repo.matching(uscc=body.uscc, name_key=key, county=body.county):
        raise Problem(409, "already-banned", "Already recorded", "this operator is on record as banned already")
    row = UnlicensedOperator(
        id=str(uuid.uuid4()),
        name=body.name,
        name_key=key,
        uscc=body.uscc,
        county=body.county,
        address=body.address,
        operator_person=body.operator_person,
        found_on=body.found_on,
        description=body.description,
        banned_on=today,
        status="banned",
        created_by=principal.sub,
    )
    repo.add(row)
    await audit(session, platform, principal, "ban", "unlicensed_operator", row.id)
    await announce(session, "tuoyu.inspection.unlicensed_operator.recorded.v1", row.uscc or row.id, row.county, _snapshot(row))
    return unlicensed_read(row, principal)


async def link_registration(session: AsyncSession, arrival: Arrival) -> None:
    """A registration arrived: a banned operator that is the same one is linked to it."""
    for row in await UnlicensedRepository(session).matching(uscc=arrival.uscc, name_key=name_key(arrival.name), county=arrival.county):
        row.status, row.linked_uscc, row.linked_at = "registered", arrival.uscc, utcnow()
        await announce(session, "tuoyu.inspection.unlicensed_operator.linked.v1", arrival.uscc, row.county, _snapshot(row))
