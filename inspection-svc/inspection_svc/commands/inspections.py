"""Inspections by each agency with its own checklist, their findings, and the follow-ups that
close them; every finding raised or closed is an event, and recomputes the institution's credit."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import announce, require_department
from inspection_svc.commands.credit import refresh_credit, rules_from
from inspection_svc.domain.checklists import SEVERITY_RISK
from inspection_svc.domain.inspection import FindingFacts, inspection_problems, rectification_overdue
from inspection_svc.models import Finding, FollowUp, Inspection, platform
from inspection_svc.repository import DrawRepository, FindingRepository, InboxRepository, InspectionRepository
from inspection_svc.schemas import FindingRead, FollowUpCreate, FollowUpRead, InspectionCreate, InspectionRead
from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_problem, forbidden, not_found
from shared.settings import Settings


def finding_read(row: Finding, today: dt.date) -> FindingRead:
    return FindingRead(
        id=row.id,
        inspection_id=row.inspection_id,
        uscc=row.uscc,
        county=row.county,
        agency=row.agency,
        code=row.code,
        severity=row.severity,
        risk_level=SEVERITY_RISK[row.severity],
        description=row.description,
        raised_on=row.raised_on,
        deadline=row.deadline,
        status=row.status,
        verified_on=row.verified_on,
        overdue=rectification_overdue(row.status, row.deadline, today),
    )


def inspection_read(row: Inspection, findings: list[Finding], today: dt.date) -> InspectionRead:
    return InspectionRead(
        id=row.id,
        uscc=row.uscc,
        name=row.name,
        county=row.county,
        agency=row.agency,
        kind=row.kind,
        plan_id=row.plan_id,
        inspected_on=row.inspected_on,
        inspectors=row.inspectors,
        results=row.results,
        findings=[finding_read(f, today) for f in findings],
    )


async def _announce_finding(session: AsyncSession, row: Finding, verb: str, today: dt.date) -> None:
    snapshot = {**finding_read(row, today).model_dump(), "finding_id": row.id, "version": row.version}
    await announce(session, f"tuoyu.inspection.finding.{verb}.v1", row.uscc, row.county, snapshot)


async def record_inspection(session: AsyncSession, principal: Principal, body: InspectionCreate, today: dt.date, settings: Settings) -> InspectionRead:
    require_department(principal, body.agency, f"an inspection by {body.agency}")
    entry = await InboxRepository(session).get(body.uscc)
    if entry is None or entry.kind != "institution":
        raise Problem(409, "not-registered", "Not a registered institution", f"{body.uscc} is not in the registry the health bureau received")
    if not principal.covers(entry.county):
        raise forbidden(f"your office ({principal.region}) does not inspect in {entry.county}")
    facts = [FindingFacts(f.code, f.severity, f.deadline) for f in body.findings]
    if problems := inspection_problems(body.agency, body.inspected_on, body.inspectors, body.results, facts, today):
        raise Problem(
            422,
            "inspection-rule",
            "The inspection record breaks a rule",
            "; ".join(p.message for p in problems),
            errors=[{"field": p.field, "rule": p.rule, "message": p.message} for p in problems],
        )
    if body.plan_id:
        draw = await DrawRepository(session).of_plan(body.plan_id)
        if draw is None or body.uscc not in {a["uscc"] for a in draw.assignments}:
            raise field_problem("plan_id", "drawn_by_plan", "the plan's draw did not pick this institution")
    inspection = Inspection(
        id=str(uuid.uuid4()),
        uscc=entry.uscc,
        name=entry.name,
        county=entry.county,
        agency=body.agency,
        kind=body.kind,
        plan_id=body.plan_id,
        inspected_on=body.inspected_on,
        inspectors=body.inspectors,
        results=body.results,
        created_by=principal.sub,
        created_at=utcnow(),
    )
    findings = [
        Finding(
            id=str(uuid.uuid4()),
            inspection_id=inspection.id,
            uscc=entry.uscc,
            county=entry.county,
            agency=body.agency,
            code=f.code,
            severity=f.severity,
            description=f.description,
            raised_on=body.inspected_on,
            deadline=f.deadline,
            status="open",
            version=1,
        )
        for f in body.findings
    ]
    repo = InspectionRepository(session, principal)
    repo.add(inspection)
    await session.flush()  # the inspection row before the findings that refer to it
    for finding in findings:
        repo.add(finding)
    await session.flush()
    await audit(session, platform, principal, "inspect", "inspection", inspection.id, {"uscc": entry.uscc, "findings": len(findings)})
    summary = {
        "inspection_id": inspection.id,
        "uscc": entry.uscc,
        "county": entry.county,
        "agency": body.agency,
        "kind": body.kind,
        "inspected_on": body.inspected_on,
        "plan_id": body.plan_id,
        "items_checked": len(body.results),
        "items_failed": sum(1 for v in body.results.values() if v == "fail"),
        "finding_ids": [f.id for f in findings],
    }
    await announce(session, "tuoyu.inspection.inspection.recorded.v1", entry.uscc, entry.county, summary)
    for finding in findings:
        await _announce_finding(session, finding, "raised", today)
    if findings:
        await refresh_credit(session, entry.uscc, today, rules_from(settings))
    return inspection_read(inspection, findings, today)


async def follow_up(
    session: AsyncSession, principal: Principal, inspection_id: str, body: FollowUpCreate, today: dt.date, settings: Settings
) -> FollowUpRead:
    inspection = await InspectionRepository(session, principal).get(inspection_id)
    if inspection is None:
        raise not_found("inspection", inspection_id)
    require_department(principal, inspection.agency, "a follow-up of this inspection")
    if not inspection.inspected_on <= body.followed_on <= today:
        raise field_problem("followed_on", "between_inspection_and_today", "followed_on is between the inspection and today")
    findings = {f.id: f for f in await FindingRepository(session).of_inspections([inspection_id])}
    if unknown := [i for i in body.closes if i not in findings]:
        raise field_problem("closes", "finding_of_inspection", f"not findings of this inspection: {', '.join(unknown)}")
    if closed := [i for i in body.closes if findings[i].status != "open"]:
        raise Problem(409, "finding-closed", "Already closed", f"closed already: {', '.join(closed)}")
    row = FollowUp(
        id=str(uuid.uuid4()),
        inspection_id=inspection_id,
        followed_on=body.followed_on,
        inspectors=body.inspectors,
        closed_findings=body.closes,
        notes=body.notes,
        created_by=principal.sub,
        created_at=utcnow(),
    )
    InspectionRepository(session).add_follow_up(row)
    for finding_id in body.closes:
        finding = findings[finding_id]
        finding.status, finding.verified_on, finding.follow_up_id, finding.version = "closed", body.followed_on, row.id, finding.version + 1
        await _announce_finding(session, finding, "closed", today)
    await session.flush()
    await audit(session, platform, principal, "follow_up", "inspection", inspection_id, {"closed": body.closes})
    await refresh_credit(session, inspection.uscc, today, rules_from(settings))
    return FollowUpRead(id=row.id, inspection_id=inspection_id, followed_on=row.followed_on, closed_findings=row.closed_findings)
