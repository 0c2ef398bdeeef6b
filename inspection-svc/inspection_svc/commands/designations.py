"""普惠 recognition and demonstration units: the county health bureau recognises 普惠 for a year; a
county nominates a demonstration unit and the city confirms it; every criterion is checked and
shown, and a failing one is named. Recognition, designation, renewal (the next year's) and
withdrawal are events."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import announce, require_health_bureau
from inspection_svc.domain.designation import (
    Criterion,
    InstitutionFacts,
    demonstration_criteria,
    inclusive_criteria,
    unmet,
)
from inspection_svc.models import Designation, InboxEntry, platform
from inspection_svc.repository import (
    CreditRepository,
    DesignationRepository,
    EvaluationRepository,
    FilingRepository,
    FindingRepository,
    InboxRepository,
)
from inspection_svc.schemas import DesignationRead, InclusiveCreate, NominationCreate, WithdrawalCreate
from shared.audit import audit
from shared.auth import Principal
from shared.errors import Problem, forbidden, not_found
from shared.regions import CITY


def designation_read(row: Designation) -> DesignationRead:
    return DesignationRead.model_validate({c: getattr(row, c) for c in DesignationRead.model_fields})


async def institution_facts(session: AsyncSession, uscc: str, year: int) -> tuple[InboxEntry, InstitutionFacts]:
    entry = await InboxRepository(session).get(uscc)
    if entry is None or entry.kind != "institution":
        raise Problem(409, "not-registered", "Not a registered institution", f"{uscc} is not registered")
    credit = await CreditRepository(session).get(uscc)
    inclusive = await DesignationRepository(session).standing(uscc, "inclusive", year)
    return entry, InstitutionFacts(
        registration_status=entry.status,
        filing_status=await FilingRepository(session).latest_status(uscc),
        inclusive_year=year if inclusive is not None and inclusive.status == "recognised" else None,
        latest_rating=await EvaluationRepository(session).latest_rating(uscc),
        credit_status=credit.status if credit else "normal",
        open_critical_findings=await FindingRepository(session).open_critical(uscc),
    )


def _refuse(criteria: list[Criterion], what: str) -> Problem:
    failing = unmet(criteria)
    return Problem(
        422,
        "criteria-unmet",
        f"{what}: criteria not met",
        "；".join(f"{c.criterion}: {c.detail}" for c in failing),
        errors=[{"field": "uscc", "rule": c.criterion, "message": c.detail} for c in failing],
        criteria=[c.as_dict() for c in criteria],
    )


async def _announce(session: AsyncSession, row: Designation, event_type: str) -> None:
    snapshot = {**designation_read(row).model_dump(), "designation_id": row.id, "version": row.version}
    await announce(session, event_type, row.uscc, row.county, snapshot)


async def _designate(
    session: AsyncSession,
    principal: Principal,
    entry: InboxEntry,
    kind: str,
    year: int,
    criteria: list[Criterion],
    event_type: str,
    today: dt.date,
    **fees: object,
) -> DesignationRead:
    """A new recognition (`inclusive`) or nomination (`demonstration`), as checked, with its audit
    record and its event."""
    row = Designation(
        id=str(uuid.uuid4()),
        kind=kind,
        uscc=entry.uscc,
        name=entry.name,
        county=entry.county,
        year=year,
        status="recognised" if kind == "inclusive" else "nominated",
        criteria=[c.as_dict() for c in criteria],
        decided_on=today,
        decided_by=principal.sub,
        version=1,
        **fees,
    )
    DesignationRepository(session, principal).add(row)
    await audit(session, platform, principal, f"designate_{kind}", "designation", row.id, {"uscc": row.uscc, "year": year})
    await _announce(session, row, event_type)
    return designation_read(row)


def _require_county_bureau_of(principal: Principal, county: str) -> None:
    require_health_bureau(principal)
    if principal.region != county:
        raise forbidden(f"the county health bureau of {county} decides this, not {principal.region}")


async def recognise_inclusive(session: AsyncSession, principal: Principal, body: InclusiveCreate, today: dt.date) -> DesignationRead:
    entry, facts = await institution_facts(session, body.uscc, body.year)
    _require_county_bureau_of(principal, entry.county)
    repo = DesignationRepository(session, principal)
    if await repo.standing(body.uscc, "inclusive", body.year, for_update=True):
        raise Problem(409, "already-recognised", "Already recognised", f"{body.uscc} is recognised as 普惠 for {body.year}")
    criteria = inclusive_criteria(facts, body.monthly_fee_fen, body.fee_cap_fen, body.year, today.year)
    if unmet(criteria):
        raise _refuse(criteria, "普惠 recognition")
    return await _designate(
        session,
        principal,
        entry,
        "inclusive",
        body.year,
        criteria,
        "tuoyu.inspection.designation.inclusive_recognised.v1",
        today,
        monthly_fee_fen=body.monthly_fee_fen,
        fee_cap_fen=body.fee_cap_fen,
        fee_standard_ref=body.fee_standard_ref,
    )


async def nominate_demonstration(
    session: AsyncSession, principal: Principal, body: NominationCreate, today: dt.date, minimum_rating: str
) -> DesignationRead:
    entry, facts = await institution_facts(session, body.uscc, body.year)
    _require_county_bureau_of(principal, entry.county)
    repo = DesignationRepository(session, principal)
    if await repo.standing(body.uscc, "demonstration", body.year, for_update=True):
        raise Problem(409, "already-nominated", "Already nominated", f"{body.uscc} is nominated or confirmed for {body.year}")
    criteria = demonstration_criteria(facts, body.year, minimum_rating)
    if unmet(criteria):
        raise _refuse(criteria, "demonstration nomination")
    return await _designate(
        session, principal, entry, "demonstration", body.year, criteria, "tuoyu.inspection.designation.demonstration_nominated.v1", today
    )


async def confirm_demonstration(
    session: AsyncSession, principal: Principal, designation_id: str, today: dt.date, minimum_rating: str
) -> DesignationRead:
    require_health_bureau(principal)
    if principal.region != CITY:
        raise forbidden("the city health bureau confirms demonstration units")
    row = await DesignationRepository(session, principal).get(designation_id, for_update=True)
    if row is None or row.kind != "demonstration":
        raise not_found("demonstration nomination", designation_id)
    if row.status != "nominated":
        raise Problem(409, "not-nominated", "Not awaiting confirmation", f"the designation is {row.status}")
    _, facts = await institution_facts(session, row.uscc, row.year)
    criteria = demonstration_criteria(facts, row.year, minimum_rating)  # checked again: things change
    if unmet(criteria):
        raise _refuse(criteria, "demonstration confirmation")
    row.status, row.criteria, row.decided_on, row.decided_by, row.version = "confirmed", [c.as_dict() for c in criteria], today, principal.sub, row.version + 1
    await audit(session, platform, principal, "confirm_demonstration", "designation", row.id, before={"status": "nominated"}, after={"status": "confirmed"})
    await _announce(session, row, "tuoyu.inspection.designation.demonstration_confirmed.v1")
    return designation_read(row)


async def withdraw(session: AsyncSession, principal: Principal, designation_id: str, body: WithdrawalCreate, today: dt.date) -> DesignationRead:
    require_health_bureau(principal)
    row = await DesignationRepository(session, principal).get(designation_id, for_update=True)
    if row is None:
        raise not_found("designation", designation_id)
    if row.status == "withdrawn":
        raise Problem(409, "withdrawn", "Already withdrawn", "the designation is withdrawn already")
    if row.status == "confirmed" and principal.region != CITY:
        raise forbidden("the city withdraws a confirmed demonstration unit")
    before = row.status
    row.status, row.reason, row.decided_on, row.decided_by, row.version = "withdrawn", body.reason, today, principal.sub, row.version + 1
    await audit(session, platform, principal, "withdraw", "designation", row.id, {"reason": body.reason}, before={"status": before}, after={"status": "withdrawn"})
    await _announce(session, row, "tuoyu.inspection.designation.withdrawn.v1")
    return designation_read(row)
