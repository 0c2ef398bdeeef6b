"""What every write of the supervision service shares: who may act, and announcing a change."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.models import platform
from shared.auth import Principal
from shared.errors import forbidden
from shared.events.catalogue import new_event, spec_of
from shared.outbox import record

SOURCE = "inspection-svc"
HEALTH = "weijian"


def require_health_bureau(principal: Principal) -> None:
    if principal.department != HEALTH and not principal.has_role("admin"):
        raise forbidden("this is the health bureau's (卫生健康) work")


def require_department(principal: Principal, department: str, what: str) -> None:
    if principal.department != department:
        raise forbidden(f"{what} is for {department}, not {principal.department}")


async def announce(session: AsyncSession, event_type: str, subject: str, region: str, snapshot: BaseModel | dict[str, Any]) -> None:
    """Publish `event_type` (through the outbox) with the fields of `snapshot` its schema takes."""
    schema = spec_of(event_type).data
    values = snapshot.model_dump() if isinstance(snapshot, BaseModel) else snapshot
    data = schema.model_validate({k: v for k, v in values.items() if k in schema.model_fields})
    await record(session, platform, new_event(event_type, source=SOURCE, subject=subject, region=region, data=data))
