"""Every query of the supervision service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.models import Filing, InboxEntry, Reconciliation
from shared.auth import Principal
from shared.regions import CITY

OPEN_FILING = ("submitted", "accepted")


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

    async def get(self, uscc: str, *, for_update: bool = False) -> InboxEntry | None:
        query = self._scoped(sa.select(InboxEntry).where(InboxEntry.uscc == uscc))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    def add(self, entry: InboxEntry) -> None:
        self.session.add(entry)

    async def page(
        self,
        *,
        region: str | None = None,
        month: tuple[dt.date, dt.date] | None = None,
        registrar: str | None = None,
        same_month: bool | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[InboxEntry]:
        query = self._scoped(sa.select(InboxEntry))
        if region:
            query = query.where(sa.or_(InboxEntry.health_region == region, InboxEntry.county == region))
        if month:
            query = query.where(InboxEntry.registered_on.between(*month))
        if registrar:
            query = query.where(InboxEntry.registrar == registrar)
        if same_month is not None:
            query = query.where(InboxEntry.same_month == same_month)
        if after:
            query = query.where(InboxEntry.uscc > after)
        result = await self.session.execute(query.order_by(InboxEntry.uscc).limit(limit))
        return list(result.scalars())

    async def received_counts(self, month: tuple[dt.date, dt.date], offices: list[str] | None) -> dict[tuple[str, str], tuple[int, int]]:
        """(health region, registrar) → (received in the registration month, received later),
        counted in the database."""
        query = (
            sa.select(
                InboxEntry.health_region,
                InboxEntry.registrar,
                sa.func.sum(sa.case((InboxEntry.same_month, 1), else_=0)),
                sa.func.sum(sa.case((InboxEntry.same_month, 0), else_=1)),
            )
            .where(InboxEntry.registered_on.between(*month))
            .group_by(InboxEntry.health_region, InboxEntry.registrar)
        )
        if offices is not None:
            query = query.where(InboxEntry.health_region.in_(offices))
        return {(r[0], r[1]): (int(r[2]), int(r[3])) for r in (await self.session.execute(query)).all()}

    async def unfiled(self, county: str | None, limit: int) -> list[InboxEntry]:
        """Active institutions located in the county with no filing submitted or accepted."""
        has_filing = sa.exists().where(Filing.uscc == InboxEntry.uscc, Filing.status.in_(OPEN_FILING))
        query = (
            sa.select(InboxEntry)
            .where(InboxEntry.kind == "institution", InboxEntry.status == "active", ~has_filing)
            .order_by(InboxEntry.registered_on, InboxEntry.uscc)
            .limit(limit)
        )
        if self.principal is not None and self.principal.region != CITY:
            query = query.where(InboxEntry.county == self.principal.region)
        if county:
            query = query.where(InboxEntry.county == county)
        return list((await self.session.execute(query)).scalars())


class FilingRepository:
    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal

    def _scoped(self, query: sa.Select) -> sa.Select:
        """A county health bureau keeps the filings of its county; the city sees all."""
        if self.principal is None or self.principal.region == CITY:
            return query
        return query.where(Filing.county == self.principal.region)

    async def get(self, filing_id: str, *, for_update: bool = False) -> Filing | None:
        query = self._scoped(sa.select(Filing).where(Filing.id == filing_id))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def open_for(self, uscc: str) -> list[Filing]:
        """Filings of an institution that are submitted or accepted (unscoped: events use it)."""
        query = sa.select(Filing).where(Filing.uscc == uscc, Filing.status.in_(OPEN_FILING)).with_for_update()
        return list((await self.session.execute(query)).scalars())

    async def next_sequence(self, uscc: str) -> int:
        count = await self.session.execute(sa.select(sa.func.count()).select_from(Filing).where(Filing.uscc == uscc))
        return count.scalar_one() + 1

    def add(self, filing: Filing) -> None:
        self.session.add(filing)

    async def page(
        self,
        *,
        status: str | None,
        region: str | None,
        uscc: str | None,
        today: dt.date,
        after: str | None,
        limit: int,
    ) -> list[Filing]:
        query = self._scoped(sa.select(Filing))
        if status == "overdue":
            query = query.where(Filing.status == "submitted", Filing.answer_due_on < today)
        elif status:
            query = query.where(Filing.status == status)
        if region and region != CITY:
            query = query.where(Filing.county == region)
        if uscc:
            query = query.where(Filing.uscc == uscc)
        if after:
            query = query.where(Filing.id > after)
        return list((await self.session.execute(query.order_by(Filing.id).limit(limit))).scalars())

    async def returned_publicly(self, county: str | None, limit: int) -> list[Filing]:
        query = sa.select(Filing).where(Filing.status == "returned")
        if county:
            query = query.where(Filing.county == county)
        return list((await self.session.execute(query.order_by(Filing.decided_on.desc(), Filing.id).limit(limit))).scalars())


class ReconciliationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, run: Reconciliation) -> None:
        self.session.add(run)

    async def latest(self, limit: int) -> list[Reconciliation]:
        query = sa.select(Reconciliation).order_by(Reconciliation.id.desc()).limit(limit)
        return list((await self.session.execute(query)).scalars())
