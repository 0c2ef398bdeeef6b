"""Every query of the supervision service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.regions import CITY

from inspection_svc.models import InboxEntry


class InboxRepository:
    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal  # None: the service itself, applying events

    def _scoped(self, query: sa.Select) -> sa.Select:
        """County health bureaus see what was pushed to them or is located in their county."""
        if self.principal is None or self.principal.region == CITY:
            return query
        region = self.principal.region
        return query.where(sa.or_(InboxEntry.health_region == region, InboxEntry.county == region))

    async def get(self, uscc: str) -> InboxEntry | None:
        result = await self.session.execute(self._scoped(sa.select(InboxEntry).where(InboxEntry.uscc == uscc)))
        return result.scalar_one_or_none()

    async def add(self, entry: InboxEntry) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def page(
        self,
        *,
        region: str | None = None,
        month: tuple[dt.date, dt.date] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[InboxEntry]:
        query = self._scoped(sa.select(InboxEntry))
        if region:
            query = query.where(sa.or_(InboxEntry.health_region == region, InboxEntry.county == region))
        if month:
            query = query.where(InboxEntry.registered_on.between(*month))
        if after:
            query = query.where(InboxEntry.uscc > after)
        result = await self.session.execute(query.order_by(InboxEntry.uscc).limit(limit))
        return list(result.scalars())
