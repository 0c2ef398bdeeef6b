"""The writes of the subsidy service, where money leaves the city's accounts: each decision shows
its criteria; review by a county office, approval by the city with four eyes (the approver is not
the reviewer), commitments that never exceed a budget line, disbursement exactly once, reversal with
a reason; every step audited. Amounts are integer fen."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_problem, forbidden, not_found
from shared.events.catalogue import new_event
from shared.events.subsidy import BudgetSet, SubsidyBooked
from shared.outbox import record
from shared.regions import CITY, is_county
from subsidy_svc.domain import programmes as P
from subsidy_svc.domain.eligibility import (
    CertificateFacts,
    Criterion,
    InstitutionFacts,
    certificate_amount,
    certificate_criteria,
    demonstration_award_criteria,
    fee_reduction_criteria,
    period_not_future,
    programme_for_certificate,
    split_award,
    unmet,
)
from subsidy_svc.models import Application, Budget, CertificateFact, DisbursementBatch, FeeStandard, LedgerEntry, Programme, platform
from subsidy_svc.repository import (
    ApplicationRepository,
    BudgetRepository,
    CertificateRepository,
    FactRepository,
    InstitutionRepository,
    ProgrammeRepository,
    PublicRepository,
)
from subsidy_svc.schemas import (
    RULES,
    ApplicationCreate,
    ApplicationRead,
    ApprovalCreate,
    BatchRead,
    BudgetCreate,
    BudgetRead,
    FeeStandardAdjustment,
    FeeStandardCreate,
    FeeStandardRead,
    ProgrammeRead,
    ProgrammeUpdate,
    ReviewCreate,
)

SOURCE = "subsidy-svc"
FINANCE = "caizheng"
PRICES = ("fagai", "caizheng")  # who publishes the 普惠 fee standards (价格主管部门, with finance)


# -- programmes and budgets -------------------------------------------------------------------


async def programme(session: AsyncSession, code: str, *, for_update: bool = False) -> Programme:
    row = await ProgrammeRepository(session).get(code, for_update=for_update)
    if row is None:
        raise field_problem("programme", "known_programme", f"no programme {code}; see GET /v1/programmes")
    return row


async def update_programme(session: AsyncSession, principal: Principal, code: str, body: ProgrammeUpdate) -> ProgrammeRead:
    row = await programme(session, code, for_update=True)
    if principal.department != row.approver_department or principal.region != CITY:
        raise forbidden(f"the city's {row.approver_department} sets this programme's amounts")
    try:
        rules = RULES[code].model_validate(body.rules).model_dump()
    except ValidationError as exc:  # 422 naming the rule's field, e.g. rules.city_percent
        raise RequestValidationError([{**e, "loc": ("body", "rules", *e["loc"])} for e in exc.errors()]) from None
    before = row.rules
    # a new version: applications keep the version and rules they were decided under
    row.rules, row.version, row.updated_at = rules, row.version + 1, utcnow()
    await audit(session, platform, principal, "update", "programme", code, before={"rules": before}, after={"rules": rules, "version": row.version})
    return ProgrammeRead.model_validate(row)


def budget_read(row: Budget) -> BudgetRead:
    return BudgetRead(
        id=row.id,
        programme=row.programme,
        year=row.year,
        region=row.region,
        level=row.level,
        amount_fen=row.amount_fen,
        committed_fen=row.committed_fen,
        available_fen=row.amount_fen - row.committed_fen,
    )


async def set_budget(session: AsyncSession, principal: Principal, body: BudgetCreate) -> BudgetRead:
    """A budget line, created or re-set (never below what is already committed)."""
    await programme(session, body.programme)
    if principal.department != FINANCE:
        raise forbidden("budgets are finance's (财政)")
    if (body.level == "city") != (body.region == CITY) or (body.level == "county" and not is_county(body.region)):
        raise field_problem("level", "level_of_region", "a city line is for 441800, a county line for a county")
    if not principal.covers(body.region):
        raise forbidden(f"your office ({principal.region}) does not budget for {body.region}")
    repo = BudgetRepository(session, principal)
    row = await repo.line(body.programme, body.year, body.region, body.level)
    before = {"amount_fen": row.amount_fen if row else None}
    if row is None:
        row = Budget(id=str(uuid.uuid4()), **body.model_dump(), committed_fen=0, created_by=principal.sub, updated_at=utcnow())
        repo.add(row)
    elif body.amount_fen < row.committed_fen:
        raise field_problem("amount_fen", "not_below_committed", f"{row.committed_fen} fen is committed already")
    else:
        row.amount_fen, row.updated_at = body.amount_fen, utcnow()
    key = f"{body.programme}:{body.year}:{body.region}:{body.level}"
    await audit(session, platform, principal, "budget", "budget", key, before=before, after={"amount_fen": body.amount_fen})
    announced = BudgetSet(**body.model_dump(), set_at=row.updated_at)
    await record(session, platform, new_event("tuoyu.subsidy.budget.set.v1", source=SOURCE, subject=key, region=body.region, data=announced))
    return budget_read(row)


# -- facts and eligibility --------------------------------------------------------------------


async def institution_facts(session: AsyncSession, uscc: str) -> tuple[Any, InstitutionFacts]:
    row = await InstitutionRepository(session).get(uscc)
    if row is None or row.registration_status is None:
        raise field_problem("uscc", "registered_institution", f"{uscc} is not a registration the subsidy side has received")
    facts = FactRepository(session)
    return row, InstitutionFacts(
        registration_status=row.registration_status,
        nature=row.nature,
        filing_status=row.filing_status,
        credit_status=row.credit_status,
        open_critical_findings=await facts.open_critical_findings(uscc),
        inclusive_years=await facts.designation_years(uscc, "inclusive", "recognised"),
        demonstration_years=await facts.designation_years(uscc, "demonstration", "confirmed"),
    )


async def check(session: AsyncSession, row: Application, today: dt.date) -> list[Criterion]:
    """The application's criteria as they stand today (facts change: a listing, a finding …), under
    the rules it was made with (a later change of the programme does not rewrite it)."""
    if row.programme == P.DEMONSTRATION_AWARD:
        return demonstration_award_criteria((await institution_facts(session, row.uscc or ""))[1], row.year)
    if row.programme == P.FEE_REDUCTION:
        children = row.details["martyrs_children"] + row.details["children_in_difficulty"]
        return fee_reduction_criteria((await institution_facts(session, row.uscc or ""))[1], children)
    fact = await _certificate(session, row.certificate_id or "")
    claimed = await ApplicationRepository(session).standing_claim(row.programme, row.claim_key)
    return certificate_criteria(_cert(fact), row.created_on, row.rules["claim_months"], claimed is not None and claimed.id != row.id)


def application_read(row: Application) -> ApplicationRead:
    return ApplicationRead.model_validate(
        {
            **{name: getattr(row, name) for name in ApplicationRead.model_fields if name != "eligible"},
            "eligible": all(c["met"] for c in row.eligibility),
        }
    )


def _cert(fact: CertificateFact) -> CertificateFacts:
    return CertificateFacts(fact.kind, fact.occupation, fact.level, fact.issued_on)


async def _certificate(session: AsyncSession, certificate_id: str) -> CertificateFact:
    fact = await session.get(CertificateFact, certificate_id)
    if fact is None:
        raise field_problem("certificate_id", "certificate_on_record", "no such certificate has been announced by the workforce service")
    return fact


def _refuse(criteria: list[Criterion], what: str) -> Problem:
    failing = unmet(criteria)
    return Problem(
        422,
        "not-eligible",
        f"{what}: not eligible",
        "；".join(c.detail for c in failing),
        errors=[{"field": "eligibility", "rule": c.criterion, "message": c.detail} for c in failing],
        eligibility=[c.as_dict() for c in criteria],
    )


# -- applications -----------------------------------------------------------------------------


async def _new_application(
    session: AsyncSession,
    actor: str,
    prog: Programme,
    *,
    claim_key: str,
    region: str,
    amount_fen: int,
    lines: list[dict],
    today: dt.date,
    origin: str,
    year: int | None = None,
    status: str = "submitted",
    **fields: Any,
) -> Application:
    repo = ApplicationRepository(session)
    if await repo.standing_claim(prog.code, claim_key) is not None:
        raise Problem(409, "already-claimed", "Already claimed", f"{prog.name}: this claim stands already ({claim_key})")
    row = Application(
        id=str(uuid.uuid4()),
        programme=prog.code,
        programme_version=prog.version,
        rules=prog.rules,
        claim_key=claim_key,
        year=year or today.year,
        region=region,
        amount_fen=amount_fen,
        lines=lines,
        origin=origin,
        status=status,
        eligibility=[],
        created_on=today,
        created_by=actor,
        version=1,
        updated_at=utcnow(),
        **{"details": {}, **fields},
    )
    repo.add(row)
    await session.flush()
    row.eligibility = [c.as_dict() for c in await check(session, row, today)]
    return row


async def apply(session: AsyncSession, principal: Principal, body: ApplicationCreate, today: dt.date) -> ApplicationRead:
    prog = await programme(session, body.programme)
    if principal.department != prog.reviewer_department:
        raise forbidden(f"applications to {prog.name} are made with {prog.reviewer_department}")
    if body.programme in P.INSTITUTION_PROGRAMMES:
        if not body.uscc:
            raise field_problem("uscc", "required", f"{prog.name} is claimed for an institution")
        institution, _ = await institution_facts(session, body.uscc)
        if not principal.covers(institution.county):
            raise forbidden(f"your office ({principal.region}) does not act for {institution.county}")
        if body.programme == P.DEMONSTRATION_AWARD:
            city, county = split_award(prog.rules["amount_fen"], prog.rules["city_percent"])
            lines = [{"region": CITY, "level": "city", "amount_fen": city}, {"region": institution.county, "level": "county", "amount_fen": county}]
            row = await _new_application(
                session, principal.sub, prog, claim_key=body.uscc, region=institution.county, amount_fen=city + county,
                lines=[line for line in lines if line["amount_fen"]], today=today, origin="applied", uscc=body.uscc,
            )
        else:
            row = await _record_fee_reduction(session, principal, prog, body, institution.county, today)
    else:
        if not body.certificate_id:
            raise field_problem("certificate_id", "required", f"{prog.name} is claimed for a certificate")
        row = await _certificate_claim(session, principal.sub, await _certificate(session, body.certificate_id), today, "applied", prog)
        if not principal.covers(row.region):
            raise forbidden(f"your office ({principal.region}) does not act for {row.region}")
    await audit(session, platform, principal, "apply", "application", row.id, {"programme": row.programme, "amount_fen": row.amount_fen})
    return application_read(row)


async def _record_fee_reduction(
    session: AsyncSession, principal: Principal, prog: Programme, body: ApplicationCreate, county: str, today: dt.date
) -> Application:
    """三(二)4: a public institution's own reduction, recorded as counts and the fees reduced (no
    child's identity), on no budget line and never paid; in the year of the month it is for."""
    if not body.period:
        raise field_problem("period", "required", "a fee reduction names its month (YYYY-MM)")
    if body.amount_fen is None:
        raise field_problem("amount_fen", "required", "a fee reduction names the fees reduced, in fen")
    if not period_not_future(body.period, today):
        raise field_problem("period", "not_future", f"{body.period} has not begun: a reduction is recorded once it is made")
    details = {"period": body.period, "martyrs_children": body.martyrs_children, "children_in_difficulty": body.children_in_difficulty}
    row = await _new_application(
        session, principal.sub, prog, claim_key=f"{body.uscc}:{body.period}", region=county, amount_fen=body.amount_fen, lines=[],
        today=today, origin="applied", year=int(body.period[:4]), status="recorded", uscc=body.uscc, details=details,
    )
    if unmet(criteria := [Criterion(**c) for c in row.eligibility]):
        raise _refuse(criteria, prog.name)  # nothing recorded: the transaction is rolled back
    return row


async def _certificate_claim(
    session: AsyncSession, actor: str, fact: CertificateFact, today: dt.date, origin: str, prog: Programme | None = None
) -> Application:
    earlier = [
        c.level for c in await CertificateRepository(session).of_practitioner(fact.practitioner_id)
        if c.certificate_id != fact.certificate_id and c.level is not None and c.occupation == fact.occupation and c.issued_on <= fact.issued_on
    ]
    code = programme_for_certificate(fact.kind, fact.level, earlier)
    if prog is not None and prog.code != code:
        raise field_problem("programme", "programme_of_certificate", f"this certificate earns {code}, not {prog.code}")
    prog = prog or await programme(session, code)
    # the certificate's own county, not the employer's registration, which may not have arrived yet
    region = fact.county if fact.county and is_county(fact.county) else CITY
    amount = certificate_amount(prog.rules, _cert(fact))
    level = "county" if region != CITY else "city"
    return await _new_application(
        session, actor, prog, claim_key=fact.certificate_id, region=region, amount_fen=amount,
        lines=[{"region": region, "level": level, "amount_fen": amount}], today=today, origin=origin,
        practitioner_id=fact.practitioner_id, certificate_id=fact.certificate_id,
    )


async def claim_for_certificate(session: AsyncSession, fact: CertificateFact, today: dt.date) -> Application | None:
    """A certificate issued makes its subsidy certain: the claim is created, waiting for review —
    unless the window has passed or it is claimed already (then nothing is certain)."""
    if await ApplicationRepository(session).claimed_certificates([fact.certificate_id]):
        return None
    row = await _certificate_claim(session, "svc-subsidy", fact, today, "automatic")
    if not all(c["met"] for c in row.eligibility):
        await session.delete(row)
        return None
    return row


async def _application(session: AsyncSession, principal: Principal, application_id: str) -> tuple[Application, Programme]:
    row = await ApplicationRepository(session, principal).get(application_id, for_update=True)
    if row is None:
        raise not_found("application", application_id)
    return row, await programme(session, row.programme)


async def _recheck(session: AsyncSession, row: Application, today: dt.date) -> list[Criterion]:
    """The criteria as they stand today, kept on the application: a listing, a finding or a lapsed
    designation may have come since the last step (失信: no subsidies while listed, DESIGN §5)."""
    criteria = await check(session, row, today)
    row.eligibility = [c.as_dict() for c in criteria]
    return criteria


async def _require_eligible(session: AsyncSession, row: Application, today: dt.date, what: str) -> None:
    criteria = await _recheck(session, row, today)
    if unmet(criteria):
        raise _refuse(criteria, what)


def _reject(row: Application, body: ReviewCreate) -> None:
    if not body.note:
        raise field_problem("note", "required_when_rejecting", "a rejection gives its reason")
    row.status, row.reason = "rejected", body.note


async def review(session: AsyncSession, principal: Principal, application_id: str, body: ReviewCreate, today: dt.date) -> ApplicationRead:
    row, prog = await _application(session, principal, application_id)
    if principal.department != prog.reviewer_department or not principal.covers(row.region):
        raise forbidden(f"{prog.reviewer_department} of {row.region} (or the city) reviews this")
    if row.status != "submitted":
        raise Problem(409, "not-submitted", "Not awaiting review", f"the application is {row.status}")
    if principal.sub == row.created_by:
        raise Problem(403, "four-eyes", "The reviewer is not the applicant", "someone other than who applied reviews (四眼原则)")
    if body.decision == "reject":
        _reject(row, body)
    else:
        await _require_eligible(session, row, today, "review")
        row.status = "reviewed"
    row.reviewed_by, row.version, row.updated_at = principal.sub, row.version + 1, utcnow()
    await audit(
        session, platform, principal, f"review_{body.decision}", "application", row.id, {"note": body.note},
        before={"status": "submitted"}, after={"status": row.status, "eligibility": row.eligibility},
    )
    return application_read(row)


async def approve(session: AsyncSession, principal: Principal, application_id: str, body: ApprovalCreate, today: dt.date) -> ApplicationRead:
    row, prog = await _application(session, principal, application_id)
    if principal.department != prog.approver_department or principal.region != CITY:
        raise forbidden(f"the city's {prog.approver_department} approves this")
    if row.status != "reviewed":
        raise Problem(409, "not-reviewed", "Not awaiting approval", f"the application is {row.status}")
    if principal.sub in (row.reviewed_by, row.created_by):
        raise Problem(403, "four-eyes", "The approver is neither the reviewer nor the applicant", "someone else decides (四眼原则)")
    if body.decision == "reject":  # nothing was committed against a budget yet: nothing to release
        _reject(row, body)
        row.version, row.updated_at = row.version + 1, utcnow()
        await audit(
            session, platform, principal, "approval_reject", "application", row.id, {"note": body.note},
            before={"status": "reviewed"}, after={"status": "rejected"},
        )
        return application_read(row)
    await _require_eligible(session, row, today, "approval")
    budgets = BudgetRepository(session)
    for line in row.lines:
        if not await budgets.commit(row.programme, row.year, line["region"], line["level"], line["amount_fen"]):
            raise Problem(
                409,
                "over-budget",
                "Beyond the budget",
                f"the {line['level']} budget of {line['region']} for {row.programme} {row.year} cannot take {line['amount_fen']} fen more",
                errors=[{"field": "budget", "rule": "within_budget", "message": f"{line['region']}/{line['level']}"}],
            )
    row.status, row.approved_by, row.approved_on = "approved", principal.sub, today
    row.version, row.updated_at = row.version + 1, utcnow()
    ApplicationRepository(session).approve_lines(row)
    await audit(
        session, platform, principal, "approve", "application", row.id, {"amount_fen": row.amount_fen, "lines": row.lines},
        before={"status": "reviewed"}, after={"status": "approved"},
    )
    return application_read(row)


async def _book(
    session: AsyncSession, principal: Principal, row: Application, line: dict, kind: str, today: dt.date, batch_id: str | None
) -> None:
    """One ledger entry on one budget line (a reversal books the line's amount negative), announced."""
    entry = LedgerEntry(
        id=str(uuid.uuid4()),
        application_id=row.id,
        batch_id=batch_id,
        kind=kind,
        programme=row.programme,
        region=line["region"],
        level=line["level"],
        amount_fen=line["amount_fen"] if kind == "payment" else -line["amount_fen"],
        booked_on=today,
        booked_by=principal.sub,
    )
    session.add(entry)
    booked = SubsidyBooked(
        entry_id=entry.id,
        application_id=row.id,
        programme=row.programme,
        year=row.year,
        county=row.region,
        uscc=row.uscc,
        region=entry.region,
        level=entry.level,
        kind=kind,
        amount_fen=entry.amount_fen,
        booked_on=today,
    )
    await record(session, platform, new_event("tuoyu.subsidy.ledger.booked.v1", source=SOURCE, subject=row.id, region=row.region, data=booked))


async def _pay(session: AsyncSession, principal: Principal, row: Application, today: dt.date, batch_id: str | None) -> None:
    for line in row.lines:
        await _book(session, principal, row, line, "payment", today, batch_id)
    row.status, row.disbursed_on, row.batch_id = "disbursed", today, batch_id
    row.version, row.updated_at = row.version + 1, utcnow()
    await audit(
        session, platform, principal, "disburse", "application", row.id, {"amount_fen": row.amount_fen, "batch": batch_id},
        before={"status": "approved"}, after={"status": "disbursed"},
    )


def require_city(principal: Principal, what: str) -> None:
    """Disbursement is the city's (市级财政拨付): its batches span every county."""
    if principal.region != CITY:
        raise forbidden(f"{what} are the city's")


def _require_disburser(principal: Principal, prog: Programme) -> None:
    if principal.department not in (FINANCE, prog.approver_department) or principal.region != CITY:
        raise forbidden("the city's finance (or the approving bureau) disburses")


async def disburse(session: AsyncSession, principal: Principal, application_id: str, today: dt.date) -> tuple[int, dict]:
    row, prog = await _application(session, principal, application_id)
    _require_disburser(principal, prog)
    if row.status == "disbursed":
        raise Problem(409, "already-disbursed", "Already disbursed", f"paid on {row.disbursed_on}")
    if row.status != "approved":
        raise Problem(409, "not-approved", "Not approved", f"the application is {row.status}")
    await _require_eligible(session, row, today, "disbursement")
    await _pay(session, principal, row, today, None)
    return 200, application_read(row).model_dump(mode="json")


async def disburse_batch(session: AsyncSession, principal: Principal, application_ids: list[str], today: dt.date) -> tuple[int, dict]:
    batch = DisbursementBatch(id=str(uuid.uuid4()), paid=[], skipped=[], total_fen=0, created_by=principal.sub, created_at=utcnow())
    repo = ApplicationRepository(session, principal)
    await repo.add_batch(batch)
    paid, skipped, total = [], [], 0
    for application_id in dict.fromkeys(application_ids):
        row = await repo.get(application_id, for_update=True)
        if row is None or row.status != "approved":
            reason, rule = ("not found", "application_found") if row is None else (f"the application is {row.status}", "approved")
            skipped.append({"id": application_id, "reason": reason, "rules": [rule]})
            continue
        _require_disburser(principal, await programme(session, row.programme))
        if failing := unmet(await _recheck(session, row, today)):  # the rest of the batch is still paid
            skipped.append({"id": row.id, "reason": "；".join(c.detail for c in failing), "rules": [c.criterion for c in failing]})
            continue
        await _pay(session, principal, row, today, batch.id)
        paid.append(row.id)
        total += row.amount_fen
    batch.paid, batch.skipped, batch.total_fen = paid, skipped, total
    return 201, BatchRead.model_validate(batch).model_dump(mode="json")


async def reverse(session: AsyncSession, principal: Principal, application_id: str, reason: str, today: dt.date) -> ApplicationRead:
    """Undo an approval (the budget is released) or a payment (a reversing entry, and the budget)."""
    row, prog = await _application(session, principal, application_id)
    _require_disburser(principal, prog)
    if row.status not in ("approved", "disbursed"):
        raise Problem(409, "not-reversible", "Nothing to reverse", f"the application is {row.status}")
    budgets = BudgetRepository(session)
    for line in row.lines:
        await budgets.release(row.programme, row.year, line["region"], line["level"], line["amount_fen"])
        if row.status == "disbursed":
            await _book(session, principal, row, line, "reversal", today, None)
    await ApplicationRepository(session).withdraw_lines(row)
    before = row.status
    row.status, row.reason, row.version, row.updated_at = "reversed", reason, row.version + 1, utcnow()
    await audit(session, platform, principal, "reverse", "application", row.id, {"reason": reason}, before={"status": before}, after={"status": "reversed"})
    return application_read(row)


# -- fee standards ----------------------------------------------------------------------------


def _require_price_office(principal: Principal, county: str) -> None:
    if principal.department not in PRICES:
        raise forbidden("普惠 fee standards are set by 发展改革 with 财政")
    if not is_county(county) or not principal.covers(county):
        raise forbidden(f"your office ({principal.region}) does not set standards for {county}")


def _effective_from(year: int, effective_from: dt.date | None, today: dt.date, after: dt.date | None = None) -> dt.date:
    """A year's standard is in force within that year (by default from today, or its first day)."""
    day = effective_from or max(today, dt.date(year, 1, 1))
    if day.year != year or (after is not None and day < after):
        raise field_problem("effective_from", "within_the_year", f"in {year}" + (f", from {after} on" if after else ""))
    return day


async def publish_fee_standard(session: AsyncSession, principal: Principal, body: FeeStandardCreate, today: dt.date) -> FeeStandardRead:
    """三(二)3 每年确定…收费标准: a year's first standard (201); one in force already is adjusted (409 names it)."""
    _require_price_office(principal, body.county)
    repo = PublicRepository(session)
    if current := await repo.fee_standard(body.year, body.county, body.service_type):
        raise Problem(
            409, "standard-exists", "Already published",
            f"{body.year} {body.county} {body.service_type} is published (version {current.version}); adjust it with POST /v1/fee-standards/{current.id}/adjustments",
            current=current.id,
        )
    effective_from = _effective_from(body.year, body.effective_from, today)
    row = FeeStandard(id=str(uuid.uuid4()), **body.model_dump(exclude={"effective_from"}), published_on=today, version=1, effective_from=effective_from)
    repo.add(row)
    await audit(session, platform, principal, "publish", "fee_standard", row.id, body.model_dump(mode="json"))
    return FeeStandardRead.model_validate(row)


async def adjust_fee_standard(session: AsyncSession, principal: Principal, standard_id: str, body: FeeStandardAdjustment, today: dt.date) -> FeeStandardRead:
    """三(二)3 适时调整: the standard in force replaced by a new version from its day on; the old one kept,
    superseded, and both published (with history). Only the one in force is adjusted (409 otherwise)."""
    repo = PublicRepository(session)
    row = await repo.fee_standard_by_id(standard_id)
    if row is None:
        raise not_found("fee standard", standard_id)
    _require_price_office(principal, row.county)
    if row.superseded_on is not None:
        raise Problem(409, "standard-superseded", "Superseded", f"version {row.version} was superseded on {row.superseded_on}; adjust the one in force")
    effective_from = _effective_from(row.year, body.effective_from, today, after=row.effective_from)
    row.superseded_on = effective_from
    await session.flush()  # the old one out of force before the new one comes in (one in force at a time)
    adjusted = FeeStandard(
        id=str(uuid.uuid4()), year=row.year, county=row.county, service_type=row.service_type, **body.model_dump(exclude={"effective_from"}),
        published_on=today, version=row.version + 1, effective_from=effective_from,
    )
    repo.add(adjusted)
    await audit(
        session, platform, principal, "adjust", "fee_standard", adjusted.id, {"supersedes": row.id},
        before={"version": row.version, "cap_fen": row.cap_fen, "unit": row.unit, "reference": row.reference},
        after={"version": adjusted.version, "cap_fen": adjusted.cap_fen, "unit": adjusted.unit, "reference": adjusted.reference, "effective_from": effective_from.isoformat()},
    )
    return FeeStandardRead.model_validate(adjusted)
