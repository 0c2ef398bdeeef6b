"""Every write is audited with its actor (DESIGN §6), in the same transaction as the write."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.db import utcnow
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
) -> None:
    await session.execute(
        sa.insert(tables.audit_log).values(
            at=utcnow(),
            actor=actor.sub,
            department=actor.department,
            region=actor.region,
            action=action,
            entity=entity,
            key=key,
            detail=detail,
            request_id=current_request_id(),
        )
    )
