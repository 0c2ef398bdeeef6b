"""The writes of the supervision service: each checks the rules of `domain`, writes the rows, the
audit record and the event in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_problem, forbidden, not_found
from shared.events.catalogue import new_event, spec_of
from shared.inbox import CatchUp
from shared.outbox import record

from inspection_svc.domain.filing import MATERIAL_KEYS, answer_overdue, filing_clock, unmet_conditions
from inspection_svc.domain.inbox import Arrival, received_same_month
from inspection_svc.models import Filing, InboxEntry, Reconciliation, platform
from inspection_svc.repository import FilingRepository, InboxRepository, ReconciliationRepository
from inspection_svc.schemas import FilingCreate, FilingDecision, FilingRead

SOURCE = "inspection-svc"
HEALTH = "weijian"


def require_health_bureau(principal: Principal) -> None:
    if principal.department != HEALTH and not principal.has_role("admin"):
        raise forbidden("this is the health bureau's (卫生健康) work")


# -- the inbox ---------------------------------------------------------------------------------


async def receive(session: AsyncSession, arrival: Arrival) -> InboxEntry:
    """Keep a registration as the health bureau received it. The first arrival fixes
    `received_at` and `same_month`; later ones update the record when they are newer."""
    repo = InboxRepository(session)
    entry = await repo.get(arrival.uscc, for_update=True)
    now = utcnow()
    fields = {
        "kind": arrival.kind,
        "name": arrival.name,
        "nature": arrival.nature,
        "registrar": arrival.registrar,
        "registrar_region": arrival.registrar_region,
        "health_region": arrival.health_region,
        "county": arrival.county,
        "address": arrival.address,
        "registered_on": arrival.registered_on,
        "status": arrival.status,
        "ended_on": arrival.ended_on,
        "version": arrival.version,
        "updated_at": now,
    }
    if entry is None:
        entry = InboxEntry(uscc=arrival.uscc, received_at=now, same_month=received_same_month(arrival.registered_on, now), **fields)
        repo.add(entry)
    elif arrival.version > entry.version:  # an older snapshot arriving late changes nothing
        for name, value in fields.items():
            setattr(entry, name, value)
    return entry


async def record_catch_up(session: AsyncSession, result: CatchUp, *, trigger: str, actor: str | None = None) -> Reconciliation:
    run = Reconciliation(
        trigger=trigger,
        actor=actor,
        started_at=result.started_at,
        finished_at=utcnow(),
        read=result.read,
        repaired=len(result.subjects),
        repaired_usccs=result.subjects,
    )
    ReconciliationRepository(session).add(run)
    await session.flush()
    return run


# -- filing (备案) -------------------------------------------------------------------------------


def filing_read(row: Filing, today: dt.date) -> FilingRead:
    return FilingRead(
        filing_id=row.id,
        sequence=row.sequence,
        uscc=row.uscc,
        name=row.name,
        county=row.county,
        status=row.status,  # type: ignore[arg-type]
        submitted_on=row.submitted_on,
        answer_due_on=row.answer_due_on,
        return_due_on=row.return_due_on,
        decided_on=row.decided_on,
        reasons=row.reasons,
        version=row.version,
        materials=row.materials,
        serves_meals=row.serves_meals,
        hygiene_rating=row.hygiene_rating,
        unmet_conditions=unmet_conditions(row.materials, row.serves_meals, row.hygiene_rating),
        overdue=answer_overdue(row.status, row.answer_due_on, today),
    )


async def _announce(session: AsyncSession, row: Filing, verb: str, today: dt.date) -> None:
    event_type = f"tuoyu.inspection.filing.{verb}.v1"
    data = spec_of(event_type).data.model_validate(filing_read(row, today).model_dump())
    await record(session, platform, new_event(event_type, source=SOURCE, subject=row.uscc, region=row.county, data=data))


async def submit_filing(session: AsyncSession, principal: Principal, body: FilingCreate, today: dt.date) -> FilingRead:
    require_health_bureau(principal)
    if unknown := sorted(set(body.materials) - MATERIAL_KEYS):
        raise field_problem("materials", "checklist", f"not on the checklist: {', '.join(unknown)}")
    received_on = body.received_on or today
    if received_on > today:
        raise field_problem("received_on", "not_in_future", "received_on is in the future")
    entry = await InboxRepository(session).get(body.uscc)  # then 403, not 404, for another county's
    if entry is None or entry.kind != "institution":
        raise Problem(
            409, "not-registered", "Not registered", f"{body.uscc} has not reached the health bureau as a registered institution"
        )
    if entry.status != "active":
        raise Problem(409, "not-registered", "Registration ended", f"{body.uscc} is {entry.status}")
    if not principal.covers(entry.county):
        raise forbidden(f"the institution files with the health bureau of {entry.county}")
    filings = FilingRepository(session, principal)
    if await filings.open_for(body.uscc):
        raise Problem(409, "filing-open", "Already filed", f"{body.uscc} has a filing submitted or accepted")
    clock = filing_clock(received_on)
    row = Filing(
        id=str(uuid.uuid4()),
        uscc=entry.uscc,
        sequence=await filings.next_sequence(entry.uscc),
        name=entry.name,
        county=entry.county,
        status="submitted",
        materials=body.materials,
        serves_meals=body.serves_meals,
        hygiene_rating=body.hygiene_rating,
        submitted_on=received_on,
        answer_due_on=clock.answer_due_on,
        return_due_on=clock.return_due_on,
        reasons=[],
        version=1,
        created_by=principal.sub,
        updated_at=utcnow(),
    )
    filings.add(row)
    await audit(session, platform, principal, "submit", "filing", row.id, {"uscc": row.uscc})
    await _announce(session, row, "submitted", today)
    return filing_read(row, today)


async def decide_filing(session: AsyncSession, principal: Principal, filing_id: str, body: FilingDecision, today: dt.date) -> FilingRead:
    require_health_bureau(principal)
    row = await FilingRepository(session, principal).get(filing_id, for_update=True)
    if row is None:
        raise not_found("filing", filing_id)
    if row.status != "submitted":
        raise Problem(409, "filing-decided", "Already decided", f"the filing is {row.status}")
    reasons = [r for r in body.reasons if r]
    if body.decision == "accepted":
        if unmet := unmet_conditions(row.materials, row.serves_meals, row.hygiene_rating):
            raise Problem(
                422,
                "filing-conditions",
                "The filing does not meet the conditions",
                "；".join(unmet) + ": return it with these reasons",
                errors=[{"field": "decision", "rule": "conditions_met", "message": m} for m in unmet],
            )
    elif not reasons:
        raise field_problem("reasons", "required_when_returned", "a returned filing states its reasons (they are made public)")
    row.status, row.reasons = body.decision, reasons
    row.decided_on, row.decided_by = today, principal.sub
    row.version += 1
    row.updated_at = utcnow()
    await audit(session, platform, principal, body.decision, "filing", row.id, {"reasons": reasons})
    await _announce(session, row, body.decision, today)
    return filing_read(row, today)


async def follow_registration(session: AsyncSession, arrival: Arrival, today: dt.date) -> None:
    """A registration change or cancellation updates the institution's open filings."""
    for row in await FilingRepository(session).open_for(arrival.uscc):
        reason = None
        if arrival.status != "active":
            reason = "登记已注销"
        elif arrival.county != row.county:
            reason = "机构迁至其他县（市、区），须向新所在地卫生健康部门备案"
        if reason:
            row.status, row.reasons, row.decided_on = "cancelled", [reason], today
            row.version += 1
            row.updated_at = utcnow()
            await _announce(session, row, "cancelled", today)
        elif row.name != arrival.name:
            row.name = arrival.name
            row.updated_at = utcnow()
