"""Third-party quality evaluations: entered by the evaluator, open to objection for a review
window, then published (on schedule) — or after the health bureau's review of an objection."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import announce, require_department, require_health_bureau
from inspection_svc.domain.evaluation import DOMAINS, rating_of
from inspection_svc.models import Evaluation, platform
from inspection_svc.repository import EvaluationRepository, InboxRepository
from inspection_svc.schemas import EvaluationCreate, EvaluationRead, EvaluationReview, ObjectionCreate
from shared.audit import audit
from shared.auth import Principal
from shared.errors import Problem, field_problem, not_found
from shared.timeutil import today_in_china
from shared.workdays import add_working_days

EVALUATOR = "evaluator"


def _check_scores(scores: dict[str, int]) -> None:
    if set(scores) != set(DOMAINS):
        raise field_problem("scores", "seven_domains", "score each of: " + ", ".join(DOMAINS))
    if bad := [k for k, v in scores.items() if not 0 <= v <= 100]:
        raise field_problem("scores", "zero_to_hundred", f"scores are 0–100: {', '.join(bad)}")


async def submit_evaluation(
    session: AsyncSession, principal: Principal, body: EvaluationCreate, today: dt.date, review_days: int
) -> EvaluationRead:
    require_department(principal, EVALUATOR, "a quality evaluation")
    _check_scores(body.scores)
    if body.evaluated_on > today:
        raise field_problem("evaluated_on", "not_in_future", "evaluated_on is in the future")
    entry = await InboxRepository(session).get(body.uscc)
    if entry is None or entry.kind != "institution":
        raise Problem(409, "not-registered", "Not a registered institution", f"{body.uscc} is not registered")
    row = Evaluation(
        id=str(uuid.uuid4()),
        uscc=entry.uscc,
        name=entry.name,
        county=entry.county,
        evaluator=principal.name or principal.sub,
        evaluated_on=body.evaluated_on,
        scores=body.scores,
        rating=rating_of(body.scores),
        review_ends_on=add_working_days(today, review_days),
        status="in_review",
        version=1,
    )
    EvaluationRepository(session).add(row)
    await audit(session, platform, principal, "evaluate", "evaluation", row.id, {"uscc": row.uscc, "rating": row.rating})
    return EvaluationRead.model_validate(row)


async def object_to(session: AsyncSession, principal: Principal, evaluation_id: str, body: ObjectionCreate, today: dt.date) -> EvaluationRead:
    """An objection within the review window (recorded by the health bureau for the institution)."""
    require_health_bureau(principal)
    row = await EvaluationRepository(session, principal).get(evaluation_id, for_update=True)
    if row is None:
        raise not_found("evaluation", evaluation_id)
    if row.status != "in_review" or today > row.review_ends_on:
        raise Problem(409, "review-closed", "The review window is closed", f"the evaluation is {row.status}")
    row.status, row.objection, row.version = "disputed", body.reason, row.version + 1
    await audit(session, platform, principal, "object", "evaluation", row.id, {"reason": body.reason})
    return EvaluationRead.model_validate(row)


async def review(session: AsyncSession, principal: Principal, evaluation_id: str, body: EvaluationReview, today: dt.date) -> EvaluationRead:
    require_health_bureau(principal)
    row = await EvaluationRepository(session, principal).get(evaluation_id, for_update=True)
    if row is None:
        raise not_found("evaluation", evaluation_id)
    if row.status != "disputed":
        raise Problem(409, "not-disputed", "Nothing to review", f"the evaluation is {row.status}")
    if body.outcome == "revised":
        if body.scores is None:
            raise field_problem("scores", "required_when_revised", "a revised evaluation gives its scores")
        _check_scores(body.scores)
        row.scores, row.rating = body.scores, rating_of(body.scores)
    await audit(session, platform, principal, f"review_{body.outcome}", "evaluation", row.id)
    await _publish(session, row, today)
    return EvaluationRead.model_validate(row)


async def _publish(session: AsyncSession, row: Evaluation, today: dt.date) -> None:
    row.status, row.published_on, row.version = "published", today, row.version + 1
    snapshot = {**EvaluationRead.model_validate(row).model_dump(), "evaluation_id": row.id}
    await announce(session, "tuoyu.inspection.evaluation.published.v1", row.uscc, row.county, snapshot)


async def publish_due(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The scheduled pass: evaluations whose review window closed without objection are public."""
    today = today_in_china()
    async with rt.db.transaction() as session:
        due = await EvaluationRepository(session).due_for_publication(today)
        for row in due:
            await _publish(session, row, today)
    return {"published": len(due)}
