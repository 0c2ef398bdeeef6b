"""Inspections by each agency with its own checklist, their findings, and the follow-ups that
close them; every finding raised or closed is an event, and recomputes the institution's credit."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import announce, require_department
from inspection_svc.commands.credit import refresh_credit, rules_from
from inspection_svc.commands.supervision import assigned_inspectors
from inspection_svc.domain.checklists import SEVERITY_RISK
from inspection_svc.domain.inspection import (
    FindingFacts,
    Substitution,
    drawn_inspector_problems,
    follow_up_problems,
    inspection_problems,
    rectification_overdue,
    required_items,
)
from inspection_svc.domain.inspection import Problem as RuleProblem
from inspection_svc.models import Finding, FollowUp, InboxEntry, Inspection, Plan, platform
from inspection_svc.repository import DrawRepository, FindingRepository, InboxRepository, InspectionRepository, PlanRepository
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
        substitutions=row.substitutions,
        results=row.results,
        findings=[finding_read(f, today) for f in findings],
    )


async def _announce_finding(session: AsyncSession, row: Finding, verb: str, today: dt.date) -> None:
    snapshot = {**finding_read(row, today).model_dump(), "finding_id": row.id, "version": row.version}
    await announce(session, f"tuoyu.inspection.finding.{verb}.v1", row.uscc, row.county, snapshot)


def _broken(problems: list[RuleProblem], what: str) -> Problem:
    return Problem(
        422,
        "inspection-rule",
        f"The {what} breaks a rule",
        "; ".join(p.message for p in problems),
        errors=[{"field": p.field, "rule": p.rule, "message": p.message} for p in problems],
    )


async def _drawn_plan(session: AsyncSession, principal: Principal, body: InspectionCreate, entry: InboxEntry) -> Plan | None:
    """The plan of a spot check, once the check is shown to be the one its draw assigned (双随机:
    the agency's own plan drew this institution and these inspectors)."""
    if (body.kind == "spot_check") != (body.plan_id is not None):
        raise field_problem("plan_id", "spot_check_cites_plan", "a spot check cites the plan whose draw assigned it, and only a spot check does")
    if body.plan_id is None:
        if body.substitutions:
            raise field_problem("substitutions", "only_for_drawn", "substitutions replace inspectors a draw assigned")
        return None
    plan = await PlanRepository(session, principal).get(body.plan_id)
    if plan is None:
        raise field_problem("plan_id", "known_plan", f"no plan {body.plan_id} in your region")
    if plan.agency != body.agency:
        raise field_problem("plan_id", "plan_of_agency", f"the plan is {plan.agency}'s, not {body.agency}'s")
    draw = await DrawRepository(session).of_plan(plan.id)
    drawn = assigned_inspectors(draw, plan).get(entry.uscc) if draw else None
    if drawn is None:
        raise field_problem("plan_id", "drawn_by_plan", "the plan's draw did not pick this institution")
    eligible = {i["id"] for i in plan.inspectors if entry.uscc not in i["conflicts"]}
    substitutions = [Substitution(s.replaces, s.by) for s in body.substitutions]
    if problems := drawn_inspector_problems(drawn, body.inspectors, substitutions, eligible):
        raise _broken(problems, "inspection record")
    return plan


async def record_inspection(session: AsyncSession, principal: Principal, body: InspectionCreate, today: dt.date, settings: Settings) -> InspectionRead:
    require_department(principal, body.agency, f"an inspection by {body.agency}")
    entry = await InboxRepository(session).get(body.uscc)
    if entry is None or entry.kind != "institution":
        raise Problem(409, "not-registered", "Not a registered institution", f"{body.uscc} is not in the registry the health bureau received")
    if not principal.covers(entry.county):
        raise forbidden(f"your office ({principal.region}) does not inspect in {entry.county}")
    plan = await _drawn_plan(session, principal, body, entry)
    required = required_items(body.agency, body.kind, plan.checklist if plan else None)
    facts = [FindingFacts(f.code, f.severity, f.deadline) for f in body.findings]
    if problems := inspection_problems(body.agency, body.inspected_on, body.inspectors, body.results, facts, today, required):
        raise _broken(problems, "inspection record")
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
        substitutions=[sub.model_dump() for sub in body.substitutions],
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
    await refresh_credit(session, entry.uscc, today, rules_from(settings))  # a clean inspection counts towards trust too
    return inspection_read(inspection, findings, today)


async def follow_up(
    session: AsyncSession, principal: Principal, inspection_id: str, body: FollowUpCreate, today: dt.date, settings: Settings
) -> FollowUpRead:
    """A follow-up checks the findings' rectification (三(三)3–4): rectified closes them; not
    rectified leaves them open (overdue past their deadline); extended grants a new deadline."""
    inspection = await InspectionRepository(session, principal).get(inspection_id)
    if inspection is None:
        raise not_found("inspection", inspection_id)
    require_department(principal, inspection.agency, "a follow-up of this inspection")
    if not inspection.inspected_on <= body.followed_on <= today:
        raise field_problem("followed_on", "between_inspection_and_today", "followed_on is between the inspection and today")
    if problems := follow_up_problems(body.inspectors, body.closes, body.outcome, body.followed_on, body.new_deadline):
        raise _broken(problems, "follow-up")
    findings = {f.id: f for f in await FindingRepository(session).of_inspections([inspection_id])}
    if unknown := [i for i in body.closes if i not in findings]:
        raise field_problem("closes", "finding_of_inspection", f"not findings of this inspection: {', '.join(unknown)}")
    if closed := [i for i in body.closes if findings[i].status != "open"]:
        raise Problem(409, "finding-closed", "Already closed", f"closed already: {', '.join(closed)}")
    rectified = body.outcome == "rectified"
    row = FollowUp(
        id=str(uuid.uuid4()),
        inspection_id=inspection_id,
        followed_on=body.followed_on,
        inspectors=body.inspectors,
        outcome=body.outcome,
        checked_findings=body.closes,
        closed_findings=body.closes if rectified else [],
        new_deadline=body.new_deadline,
        notes=body.notes,
        created_by=principal.sub,
        created_at=utcnow(),
    )
    InspectionRepository(session).add_follow_up(row)
    for finding_id in body.closes:
        finding = findings[finding_id]
        if rectified:
            finding.status, finding.verified_on, finding.follow_up_id, finding.version = "closed", body.followed_on, row.id, finding.version + 1
            await _announce_finding(session, finding, "closed", today)
        elif body.new_deadline is not None:  # extended
            finding.deadline, finding.version = body.new_deadline, finding.version + 1
    await session.flush()
    await audit(session, platform, principal, "follow_up", "inspection", inspection_id, {"outcome": body.outcome, "findings": body.closes})
    await refresh_credit(session, inspection.uscc, today, rules_from(settings))
    return FollowUpRead.model_validate(row)
