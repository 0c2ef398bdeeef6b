"""The health bureau's inbox of registrations (卫生健康部门收件箱) and its reconciliation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inspection_svc.commands import common
from inspection_svc.commands import inbox as inbox_cmd
from inspection_svc.events import HEALTH_INBOX
from inspection_svc.repository import InboxRepository
from inspection_svc.schemas import InboxEntryRead, InboxPage, ReconciliationPage, ReconciliationRead
from shared.auth import CurrentPrincipal
from shared.errors import not_found
from shared.service import ReadSession, ServiceRuntime
from shared.timeutil import MONTH_PATTERN, month_span

router = APIRouter(tags=["inbox"])
MONTH = Query(pattern=MONTH_PATTERN, description="YYYY-MM of the registration date")


@router.get("/v1/inbox", response_model=InboxPage, summary="Registrations received by the health bureau")
async def list_inbox(
    principal: CurrentPrincipal,
    session: ReadSession,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    month: Annotated[str | None, MONTH] = None,
    registrar: str | None = None,
    same_month: bool | None = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> InboxPage:
    common.require_health_bureau(principal)
    rows = await InboxRepository(session, principal).page(
        region=region, month=month_span(month) if month else None, registrar=registrar, same_month=same_month, after=after, limit=limit
    )
    return InboxPage(items=[InboxEntryRead.model_validate(r) for r in rows], next=rows[-1].uscc if len(rows) == limit else None)


@router.get("/v1/inbox/{uscc}", response_model=InboxEntryRead, summary="One institution as the health bureau received it")
async def get_inbox_entry(uscc: str, principal: CurrentPrincipal, session: ReadSession) -> InboxEntryRead:
    common.require_health_bureau(principal)
    entry = await InboxRepository(session, principal).get(uscc)
    if entry is None:
        raise not_found("inbox entry", uscc)
    return InboxEntryRead.model_validate(entry)


@router.post("/v1/reconciliations", response_model=ReconciliationRead, status_code=201, summary="Reconcile the inbox with the registration feed now")
async def reconcile(principal: CurrentPrincipal, rt: ServiceRuntime) -> ReconciliationRead:
    inbox_cmd.require_reconciler(principal)
    result = await rt.consumers[HEALTH_INBOX.name].catch_up()
    async with rt.db.transaction() as session:
        run = await inbox_cmd.record_catch_up(session, result, trigger="manual", actor=principal.sub)
    return ReconciliationRead.model_validate(run)


@router.get("/v1/reconciliations", response_model=ReconciliationPage, summary="Recent reconciliations and what they repaired")
async def list_reconciliations(
    principal: CurrentPrincipal, session: ReadSession, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> ReconciliationPage:
    common.require_health_bureau(principal)
    return ReconciliationPage(items=await inbox_cmd.reconciliations_seen_by(session, principal, limit))
