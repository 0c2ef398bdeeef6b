"""The health bureau's inbox of registrations (卫生健康部门收件箱)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import CurrentPrincipal
from shared.errors import forbidden
from shared.service import ReadSession
from shared.timeutil import month_span

from inspection_svc.repository import InboxRepository
from inspection_svc.schemas import InboxEntryRead, InboxPage

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])


@router.get("", response_model=InboxPage, summary="Registrations received by the health bureau")
async def list_inbox(
    principal: CurrentPrincipal,
    session: ReadSession,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM of registered_on")] = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> InboxPage:
    if principal.department != "weijian" and not principal.has_role("admin"):
        raise forbidden("the inbox is the health bureau's (卫生健康)")
    rows = await InboxRepository(session, principal).page(
        region=region, month=month_span(month) if month else None, after=after, limit=limit
    )
    return InboxPage(items=[InboxEntryRead.model_validate(r) for r in rows], next=rows[-1].uscc if len(rows) == limit else None)
