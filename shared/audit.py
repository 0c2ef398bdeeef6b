"""Every write is audited with its actor (DESIGN §6), in the same transaction as the write."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.db import insert_rows, utcnow
from shared.requestid import current_request_id
from shared.tables import PlatformTables


async def audit(
    session: AsyncSession,
    tables: PlatformTables,
    actor: Principal,
    action: str,
    entity: str,
    key: str,
    detail: dict[str, Any] | None = None,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Record a write: who (actor, department, region), when, what, on which record, in which
    request, and the values before and after it."""
    if before is not None or after is not None:
        detail = {**(detail or {}), "before": before, "after": after}
    await insert_rows(
        session,
        tables.audit_log,
        [{
            "at": utcnow(),
            "actor": actor.sub,
            "department": actor.department,
            "region": actor.region,
            "action": action,
            "entity": entity,
            "key": key,
            "detail": to_jsonable_python(detail),  # dates and the like as JSON gives them
            "request_id": current_request_id(),
        }],
    )


async def trail(session: AsyncSession, tables: PlatformTables, entity: str, key: str) -> list[dict[str, Any]]:
    """What was done to a record, by whom and when, oldest first."""
    log = tables.audit_log
    rows = await session.execute(
        sa.select(log.c.at, log.c.actor, log.c.department, log.c.region, log.c.action, log.c.detail, log.c.request_id)
        .where(log.c.entity == entity, log.c.key == key)
        .order_by(log.c.id)
    )
    return [dict(r) for r in rows.mappings()]
