"""Filing (备案) with the county health bureau: submission, decision, and following registration changes."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import announce, require_health_bureau
from inspection_svc.domain.filing import MATERIAL_KEYS, answer_due, filing_clock, filing_overdue, unmet_conditions
from inspection_svc.domain.inbox import Arrival
from inspection_svc.models import Filing, platform
from inspection_svc.repository import FilingRepository, InboxRepository
from inspection_svc.schemas import FilingCreate, FilingDecision, FilingRead
from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_problem, forbidden, not_found


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
        overdue=filing_overdue(row, today),
    )


async def _announce(session: AsyncSession, row: Filing, verb: str, today: dt.date) -> None:
    await announce(session, f"tuoyu.inspection.filing.{verb}.v1", row.uscc, row.county, filing_read(row, today))


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
    if received_on < entry.registered_on:  # 经核准登记后…备案 (三(三)1): filed after it is registered
        raise field_problem("received_on", "not_before_registration", f"received_on is before the registration ({entry.registered_on})")
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
        answer_by=answer_due(clock, not unmet_conditions(body.materials, body.serves_meals, body.hygiene_rating)),
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
    await audit(
        session, platform, principal, body.decision, "filing", row.id, before={"status": "submitted"}, after={"status": row.status, "reasons": reasons}
    )
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
