"""Every query of the registration service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.regions import CITY

from registration_svc.models import Registration


class RegistrationRepository:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _scoped(self, query: sa.Select) -> sa.Select:
        """County staff see what is located in, or registered by, their county; the city all."""
        if self.principal.region == CITY:
            return query
        region = self.principal.region
        return query.where(sa.or_(Registration.county == region, Registration.registrar_region == region))

    async def uscc_taken(self, uscc: str) -> bool:
        # Unscoped on purpose: a USCC is unique city-wide whoever registered it.
        found = await self.session.execute(sa.select(Registration.id).where(Registration.uscc == uscc))
        return found.first() is not None

    async def get(self, uscc: str) -> Registration | None:
        result = await self.session.execute(self._scoped(sa.select(Registration).where(Registration.uscc == uscc)))
        return result.scalar_one_or_none()

    async def add(self, row: Registration) -> None:
        self.session.add(row)
        await self.session.flush()

    async def page(
        self,
        *,
        county: str | None = None,
        nature: str | None = None,
        month: tuple[dt.date, dt.date] | None = None,
        registrar: str | None = None,
        status: str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[Registration]:
        """Registrations by filter, ordered by USCC, after the cursor `after` (a USCC)."""
        query = self._scoped(sa.select(Registration))
        if county:
            query = query.where(Registration.county == county)
        if nature:
            query = query.where(Registration.nature == nature)
        if month:
            query = query.where(Registration.registered_on.between(*month))
        if registrar:
            query = query.where(Registration.registrar == registrar)
        if status:
            query = query.where(Registration.status == status)
        if after:
            query = query.where(Registration.uscc > after)
        result = await self.session.execute(query.order_by(Registration.uscc).limit(limit))
        return list(result.scalars())
