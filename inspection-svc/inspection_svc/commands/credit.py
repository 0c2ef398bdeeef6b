"""Credit standing (守信联合激励 / 失信联合惩戒): recomputed whenever its facts change, and on a
schedule for what time alone changes; appeals with a recorded decision. A change of standing is an
event (the subsidy side stops paying a dishonest institution)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import announce
from inspection_svc.domain.credit import CreditRules, FindingRecord, credit_standing
from inspection_svc.models import Credit, CreditAppeal, platform
from inspection_svc.repository import CreditRepository, FindingRepository, InboxRepository
from inspection_svc.schemas import AppealCreate, AppealDecision, AppealRead, CreditRead
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


async def refresh_credit(session: AsyncSession, uscc: str, today: dt.date, rules: CreditRules) -> Credit:
    """Recompute an institution's standing from its findings and appeals; announce a change."""
    credits = CreditRepository(session)
    findings = await FindingRepository(session).of_institution(uscc)
    appeals = await credits.appeals(uscc)
    entry = await InboxRepository(session).get(uscc)
    cleared = max((a.decided_on for a in appeals if a.status == "upheld" and a.decided_on), default=None)
    known_since = entry.registered_on if entry else min((f.raised_on for f in findings), default=today)
    status, reasons = credit_standing(
        [FindingRecord(f.severity, f.raised_on, f.status == "open", f.description, f.verified_on) for f in findings],
        cleared,
        known_since,
        today,
        rules,
    )
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
    if status != (previous or "normal"):  # no row yet means normal
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


def credit_read(uscc: str, row: Credit | None, today: dt.date) -> CreditRead:
    if row is None:
        return CreditRead(uscc=uscc, status="normal", reasons=[], since=today)
    return CreditRead(uscc=uscc, status=row.status, reasons=row.reasons, since=row.since)  # type: ignore[arg-type]


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


async def decide_appeal(
    session: AsyncSession, principal: Principal, appeal_id: str, body: AppealDecision, today: dt.date, rules: CreditRules
) -> AppealRead:
    _require_supervisor(principal)
    credits = CreditRepository(session, principal)
    appeal = await credits.appeal(appeal_id, for_update=True)
    if appeal is None:
        raise not_found("appeal", appeal_id)
    if appeal.status != "pending":
        raise Problem(409, "appeal-decided", "Already decided", f"the appeal was {appeal.status}")
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
