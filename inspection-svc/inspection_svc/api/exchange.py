"""`GET /v1/exchange/verification`: prove, for a month and region, that the registrars' streams are
unbroken and when each registration reached the health bureau."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from inspection_svc.commands import exchange
from inspection_svc.events import HEALTH_INBOX
from shared.auth import CurrentPrincipal, allow_departments
from shared.errors import forbidden
from shared.service import ServiceRuntime
from shared.timeutil import MONTH_PATTERN

router = APIRouter(tags=["exchange evidence"])


@router.get("/v1/exchange/verification", dependencies=[allow_departments("weijian")], summary="Verify the registration exchange for a month and region")
async def verification(
    principal: CurrentPrincipal,
    rt: ServiceRuntime,
    month: Annotated[str, Query(pattern=MONTH_PATTERN)],
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> dict[str, Any]:
    if region and not principal.covers(region):
        raise forbidden(f"your office ({principal.region}) does not see {region}")
    return await exchange.verify(rt, HEALTH_INBOX.name, month, region or (principal.region if principal.region != "441800" else None))
