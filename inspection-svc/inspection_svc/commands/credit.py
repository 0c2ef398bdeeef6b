"""Credit standing (守信联合激励 / 失信联合惩戒): recomputed whenever its facts change, and on a
schedule for what time alone changes; appeals with a recorded decision. A change of standing is an
event (the subsidy side stops paying a dishonest institution)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import announce
from inspection_svc.domain.credit import LISTING_SEVERITIES, CreditRules, FindingRecord, appeal_decision_problem, credit_standing
from inspection_svc.models import Credit, CreditAppeal, InboxEntry, platform
from inspection_svc.repository import CreditRepository, FindingRepository, InboxRepository, InspectionRepository
from inspection_svc.schemas import AppealCreate, AppealDecision, AppealRead, CreditRead, Page
from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, forbidden, not_found
from shared.events.inspection import CreditChanged
from shared.regions import CITY
from shared.settings import Settings
from shared.timeutil import today_in_china

SUPERVISORS = ("weijian", "shichang", "gongan", "xiaofang")


def rules_from(settings: Settings) -> CreditRules:
    return CreditRules(
        listing_days=settings.credit_listing_days,
        repeat_count=settings.credit_repeat_count,
        repeat_window_days=settings.credit_repeat_window_days,
        clean_days=settings.credit_clean_days,
    )


async def _standing(session: AsyncSession, uscc: str, entry: InboxEntry | None, today: dt.date, rules: CreditRules) -> tuple[str, list[str]]:
    """What an institution's findings, upheld appeals and inspections make its standing today."""
    findings = await FindingRepository(session).of_institution(uscc)
    appeals = await CreditRepository(session).appeals(uscc)
    # an upheld appeal clears what it was about: the findings raised up to its filing, not later ones
    cleared = max((a.filed_on for a in appeals if a.status == "upheld"), default=None)
    known_since = entry.registered_on if entry else min((f.raised_on for f in findings), default=today)
    return credit_standing(
        [FindingRecord(f.severity, f.raised_on, f.status == "open", f.description, f.verified_on) for f in findings],
        cleared,
        known_since,
        await InspectionRepository(session).last_inspected_on(uscc),
        today,
        rules,
    )


async def refresh_credit(session: AsyncSession, uscc: str, today: dt.date, rules: CreditRules) -> Credit:
    """Recompute an institution's standing from its findings and appeals; announce a change."""
    credits = CreditRepository(session)
    entry = await InboxRepository(session).get(uscc)
    status, reasons = await _standing(session, uscc, entry, today, rules)
    row = await credits.get(uscc, for_update=True)
    previous = row.status if row else None
    if row is None:
        row = Credit(uscc=uscc, county=entry.county if entry else "", status=status, reasons=reasons, since=today, version=1, updated_at=utcnow())
        credits.add(row)
    elif (row.status, row.reasons) != (status, reasons):
        if row.status != status:
            row.since = today
        row.status, row.reasons, row.version, row.updated_at = status, reasons, row.version + 1, utcnow()
    else:
        return row
    # every change is an event, of the reasons alone too (the subsidy side shows why); no row yet was normal
    if previous is not None or (status, reasons) != ("normal", []):
        change = CreditChanged(
            uscc=uscc,
            county=row.county,
            status=status,  # type: ignore[arg-type]
            previous=previous,  # type: ignore[arg-type]
            reasons=reasons,
            since=row.since,
            version=row.version,
        )
        await announce(session, "tuoyu.inspection.credit.changed.v1", uscc, row.county or CITY, change)
    return row


async def credit_of(session: AsyncSession, uscc: str, today: dt.date, rules: CreditRules) -> CreditRead:
    """An institution's standing, for any department in the city: credit is not personal data, and
    the joint rewards and sanctions (守信联合激励和失信联合惩戒, 三(三)2) are applied by finance and
    subsidy bureaus wherever the institution is. An unknown USCC has no standing at all."""
    entry = await InboxRepository(session).get(uscc)
    if entry is None or entry.kind != "institution":
        raise not_found("institution", uscc)
    row = await CreditRepository(session).get(uscc)
    if row is not None:
        return CreditRead(uscc=uscc, status=row.status, reasons=row.reasons, since=row.since)  # type: ignore[arg-type]
    # no fact has changed it yet, and the daily pass has not recorded it: what its record makes it today
    status, reasons = await _standing(session, uscc, entry, today, rules)
    return CreditRead(uscc=uscc, status=status, reasons=reasons, since=entry.registered_on if status == "normal" else today)  # type: ignore[arg-type]


async def file_appeal(session: AsyncSession, principal: Principal, uscc: str, body: AppealCreate, today: dt.date) -> AppealRead:
    """An appeal against a dishonest listing (recorded for the institution by a supervising bureau)."""
    _require_supervisor(principal)
    row = await CreditRepository(session, principal).get(uscc)
    if row is None or row.status != "dishonest":
        raise Problem(409, "not-listed", "Not on the dishonesty list", f"{uscc} is not listed as dishonest")
    appeal = CreditAppeal(id=str(uuid.uuid4()), uscc=uscc, reason=body.reason, filed_on=today, filed_by=principal.sub, status="pending")
    CreditRepository(session).add(appeal)
    await audit(session, platform, principal, "appeal", "credit", uscc, {"appeal": appeal.id})
    return AppealRead.model_validate(appeal)


async def appeals_page(
    session: AsyncSession, principal: Principal, status: str | None, uscc: str | None, after: str | None, limit: int
) -> Page[AppealRead]:
    """Appeals of the institutions in the caller's region, so that pending ones can be found and decided."""
    _require_supervisor(principal)
    rows = await CreditRepository(session, principal).appeals_page(status=status, uscc=uscc, after=after, limit=limit)
    return Page[AppealRead](items=[AppealRead.model_validate(r) for r in rows], next=rows[-1].id if len(rows) == limit else None)


async def decide_appeal(
    session: AsyncSession, principal: Principal, appeal_id: str, body: AppealDecision, today: dt.date, rules: CreditRules
) -> AppealRead:
    _require_supervisor(principal)
    credits = CreditRepository(session, principal)
    appeal = await credits.appeal(appeal_id, for_update=True)  # within the caller's region: same level or higher
    if appeal is None:
        raise not_found("appeal", appeal_id)
    if appeal.status != "pending":
        raise Problem(409, "appeal-decided", "Already decided", f"the appeal was {appeal.status}")
    listing = [f for f in await FindingRepository(session).of_institution(appeal.uscc) if f.raised_on <= appeal.filed_on]
    raising = {f.agency for f in listing if f.severity in LISTING_SEVERITIES}
    if reason := appeal_decision_problem(principal.department, principal.sub, appeal.filed_by, raising):
        raise forbidden(reason)
    appeal.status, appeal.decided_on, appeal.decided_by, appeal.decision_note = body.decision, today, principal.sub, body.note
    await session.flush()
    await audit(session, platform, principal, f"appeal_{body.decision}", "credit", appeal.uscc, {"appeal": appeal.id, "note": body.note})
    await refresh_credit(session, appeal.uscc, today, rules)
    return AppealRead.model_validate(appeal)


def _require_supervisor(principal: Principal) -> None:
    if principal.department not in SUPERVISORS and not principal.has_role("admin"):
        raise forbidden("credit is kept by the supervising bureaus")


async def refresh_all(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The scheduled pass: standings that time alone changes (a listing expiring, a clean record
    reaching its length)."""
    rules, today = rules_from(rt.settings), today_in_china()
    async with rt.db.reading() as session:
        usccs = await CreditRepository(session).institutions()
    changed = 0
    for uscc in usccs:
        async with rt.db.transaction() as session:
            before = await CreditRepository(session).get(uscc)
            status_before = before.status if before else "normal"
            after = await refresh_credit(session, uscc, today, rules)
            changed += after.status != status_before
    return {"institutions": len(usccs), "changed": changed}
