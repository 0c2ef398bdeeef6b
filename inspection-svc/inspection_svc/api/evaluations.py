"""Third-party quality evaluations (WS/T 821—2023), their review window and publication."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import evaluations
from inspection_svc.domain.evaluation import DOMAINS
from inspection_svc.repository import EvaluationRepository
from inspection_svc.schemas import EvaluationCreate, EvaluationRead, EvaluationReview, ObjectionCreate, Page
from shared.auth import CurrentPrincipal, allow_departments
from shared.service import ReadSession, ServiceRuntime, WriteSession
from shared.timeutil import today_in_china

router = APIRouter(prefix="/v1/evaluations", tags=["quality evaluation"])


@router.get("/domains", summary="The seven domains of WS/T 821—2023")
async def domains() -> dict[str, str]:
    return DOMAINS


@router.post("", status_code=201, response_model=EvaluationRead, summary="Enter an evaluation (third-party evaluators)")
async def submit(body: EvaluationCreate, principal: CurrentPrincipal, session: WriteSession, rt: ServiceRuntime) -> EvaluationRead:
    return await evaluations.submit_evaluation(session, principal, body, today_in_china(), rt.settings.evaluation_review_working_days)


@router.get("", dependencies=[allow_departments("weijian", "evaluator")], response_model=Page[EvaluationRead], summary="Evaluations")
async def list_evaluations(
    principal: CurrentPrincipal,
    session: ReadSession,
    uscc: str | None = None,
    status: Annotated[str | None, Query(pattern="^(in_review|disputed|published)$")] = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[EvaluationRead]:
    rows = await EvaluationRepository(session, principal).page(uscc=uscc, status=status, after=after, limit=limit)
    return Page[EvaluationRead](items=[EvaluationRead.model_validate(r) for r in rows], next=rows[-1].id if len(rows) == limit else None)


@router.post("/{evaluation_id}/objection", response_model=EvaluationRead, summary="Object within the review window")
async def object_to(evaluation_id: str, body: ObjectionCreate, principal: CurrentPrincipal, session: WriteSession) -> EvaluationRead:
    return await evaluations.object_to(session, principal, evaluation_id, body, today_in_china())


@router.post("/{evaluation_id}/review", response_model=EvaluationRead, summary="Settle an objection; the result is then published")
async def review(evaluation_id: str, body: EvaluationReview, principal: CurrentPrincipal, session: WriteSession) -> EvaluationRead:
    return await evaluations.review(session, principal, evaluation_id, body, today_in_china())
