"""Programmes, budgets, applications and their workflow: county review, city approval,
disbursement exactly once (`Idempotency-Key`), reversal with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from shared.audit import trail
from shared.auth import CurrentPrincipal, allow_departments
from shared.errors import not_found
from shared.idempotency import Idempotency, fingerprint
from shared.params import OptionalYear
from shared.service import AuditEntry, ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china
from subsidy_svc import commands
from subsidy_svc.models import platform
from subsidy_svc.repository import ApplicationRepository, BudgetRepository, ProgrammeRepository
from subsidy_svc.schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApprovalCreate,
    BatchCreate,
    BatchPage,
    BatchRead,
    BudgetCreate,
    BudgetPage,
    BudgetRead,
    ProgrammeRead,
    ProgrammeUpdate,
    ReversalCreate,
    ReviewCreate,
)

router = APIRouter(tags=["subsidies"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="the same key, the same single effect")]
Limit = Annotated[int, Query(ge=1, le=500)]
# the departments with a part in the workflow: anyone else is refused before an application is looked up
WORKFLOW = allow_departments("caizheng", "renshe")


# not a page: the five programmes of the policy (三(二)4, 三(四)2), fixed in code, are the whole list
@router.get("/v1/programmes", response_model=list[ProgrammeRead], summary="The programmes with their rules and amounts (fen)")
async def programmes(session: ReadSession, principal: CurrentPrincipal) -> list[ProgrammeRead]:
    return [ProgrammeRead.model_validate(p) for p in await ProgrammeRepository(session).all()]


@router.put("/v1/programmes/{code}", response_model=ProgrammeRead, summary="Set a programme's rules and amounts")
async def update_programme(code: str, body: ProgrammeUpdate, principal: CurrentPrincipal, session: WriteSession) -> ProgrammeRead:
    return await commands.update_programme(session, principal, code, body)


@router.post("/v1/budgets", status_code=201, response_model=BudgetRead, summary="Set a budget line (programme, year, region, level)")
async def set_budget(body: BudgetCreate, principal: CurrentPrincipal, session: WriteSession) -> BudgetRead:
    return await commands.set_budget(session, principal, body)


@router.get("/v1/budgets", dependencies=[WORKFLOW], response_model=BudgetPage, summary="Budget lines with what is committed and what is left")
async def budgets(
    principal: CurrentPrincipal,
    session: ReadSession,
    programme: str | None = None,
    year: OptionalYear = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    after: str | None = None,
    limit: Limit = 100,
) -> BudgetPage:
    rows = await BudgetRepository(session, principal).page(programme=programme, year=year, region=region, after=after, limit=limit)
    return BudgetPage(items=[commands.budget_read(b) for b in rows], next=rows[-1].id if len(rows) == limit else None)


@router.post("/v1/applications", status_code=201, response_model=ApplicationRead, summary="Apply (claims made certain by events are created by themselves)")
async def apply(body: ApplicationCreate, principal: CurrentPrincipal, session: WriteSession) -> ApplicationRead:
    return await commands.apply(session, principal, body, today_in_china())


@router.get("/v1/applications", dependencies=[WORKFLOW], response_model=ApplicationPage, summary="Applications by institution, practitioner, status, programme")
async def list_applications(
    principal: CurrentPrincipal,
    session: ReadSession,
    uscc: str | None = None,
    practitioner_id: str | None = None,
    status: str | None = None,
    programme: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> ApplicationPage:
    rows = await ApplicationRepository(session, principal).page(
        uscc=uscc, practitioner_id=practitioner_id, status=status, programme=programme, after=after, limit=limit
    )
    return ApplicationPage(items=[commands.application_read(r) for r in rows], next=rows[-1].id if len(rows) == limit else None)


@router.get("/v1/applications/{application_id}", dependencies=[WORKFLOW], response_model=ApplicationRead, summary="One application, with why it is or is not eligible")
async def get_application(application_id: str, principal: CurrentPrincipal, session: WriteSession) -> ApplicationRead:
    row = await ApplicationRepository(session, principal).get(application_id, for_update=True)
    if row is None:
        raise not_found("application", application_id)
    if row.status in ("submitted", "reviewed"):  # still to decide: show the criteria as they stand today
        row.eligibility = [c.as_dict() for c in await commands.check(session, row, today_in_china())]
    return commands.application_read(row)


@router.get("/v1/applications/{application_id}/trail", dependencies=[WORKFLOW], response_model=list[AuditEntry], summary="Who did what to the application, and when")
async def application_trail(application_id: str, principal: CurrentPrincipal, session: ReadSession, rt: ServiceRuntime) -> list[AuditEntry]:
    if await ApplicationRepository(session, principal).get(application_id) is None:
        raise not_found("application", application_id)
    return [AuditEntry.model_validate(e) for e in await trail(session, rt.tables, "application", application_id)]  # type: ignore[arg-type]


@router.post("/v1/applications/{application_id}/review", dependencies=[WORKFLOW], response_model=ApplicationRead, summary="County review (not by the applicant)")
async def review(application_id: str, body: ReviewCreate, principal: CurrentPrincipal, session: WriteSession) -> ApplicationRead:
    return await commands.review(session, principal, application_id, body, today_in_china())


@router.post(
    "/v1/applications/{application_id}/approval",
    dependencies=[WORKFLOW],
    response_model=ApplicationRead,
    summary="City approval or rejection (not by the reviewer or applicant; within budget); no body approves",
)
async def approve(application_id: str, principal: CurrentPrincipal, session: WriteSession, body: ApprovalCreate | None = None) -> ApplicationRead:
    return await commands.approve(session, principal, application_id, body or ApprovalCreate(), today_in_china())


@router.post(
    "/v1/applications/{application_id}/disbursement",
    dependencies=[WORKFLOW],
    response_model=ApplicationRead,
    summary="Pay an approved application, exactly once",
)
async def disburse(application_id: str, principal: CurrentPrincipal, rt: ServiceRuntime, request: Request, key: IdempotencyKey = None) -> JSONResponse:
    status, body = await Idempotency(rt.db, platform.idempotency_key).run(
        scope=f"{principal.sub}:{request.url.path}",
        key=key,
        request_hash=fingerprint(application_id),
        operation=lambda session: commands.disburse(session, principal, application_id, today_in_china()),
    )
    return JSONResponse(body, status_code=status)


@router.post(
    "/v1/disbursement-batches",
    dependencies=[WORKFLOW],
    status_code=201,
    response_model=BatchRead,
    summary="Pay approved applications in one batch, exactly once; those not payable (or no longer eligible) are skipped with the reason",
)
async def disburse_batch(body: BatchCreate, principal: CurrentPrincipal, rt: ServiceRuntime, request: Request, key: IdempotencyKey = None) -> JSONResponse:
    status, answer = await Idempotency(rt.db, platform.idempotency_key).run(
        scope=f"{principal.sub}:{request.url.path}",
        key=key,
        request_hash=fingerprint(body.model_dump()),
        operation=lambda session: commands.disburse_batch(session, principal, body.application_ids, today_in_china()),
    )
    return JSONResponse(answer, status_code=status)


@router.get("/v1/disbursement-batches", dependencies=[WORKFLOW], response_model=BatchPage, summary="Disbursement batches, oldest id first")
async def batches(principal: CurrentPrincipal, session: ReadSession, after: str | None = None, limit: Limit = 100) -> BatchPage:
    commands.require_city(principal, "disbursement batches")
    rows = await ApplicationRepository(session, principal).batches(after=after, limit=limit)
    return BatchPage(items=[BatchRead.model_validate(b) for b in rows], next=rows[-1].id if len(rows) == limit else None)


@router.get("/v1/disbursement-batches/{batch_id}", dependencies=[WORKFLOW], response_model=BatchRead, summary="One disbursement batch: paid, skipped with reasons, total")
async def batch(batch_id: str, principal: CurrentPrincipal, session: ReadSession) -> BatchRead:
    commands.require_city(principal, "disbursement batches")
    row = await ApplicationRepository(session, principal).batch(batch_id)
    if row is None:
        raise not_found("disbursement batch", batch_id)
    return BatchRead.model_validate(row)


@router.post("/v1/applications/{application_id}/reversal", dependencies=[WORKFLOW], response_model=ApplicationRead, summary="Reverse an approval or a payment, with a reason")
async def reverse(application_id: str, body: ReversalCreate, principal: CurrentPrincipal, session: WriteSession) -> ApplicationRead:
    return await commands.reverse(session, principal, application_id, body.reason, today_in_china())
