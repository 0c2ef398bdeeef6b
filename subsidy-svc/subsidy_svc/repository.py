"""Every query of the subsidy service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.regions import CITY
from subsidy_svc.models import Institution


class InstitutionRepository:
    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal  # None: the service itself, applying events

    async def get(self, uscc: str, *, for_update: bool = False) -> Institution | None:
        query = sa.select(Institution).where(Institution.uscc == uscc)
        if self.principal is not None and self.principal.region != CITY:
            query = query.where(Institution.county == self.principal.region)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    def add(self, row: Institution) -> None:
        self.session.add(row)
