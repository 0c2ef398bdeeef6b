"""Every query of the registration service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registration_svc.models import ImportBatch, KindergartenClass, Registration, UsccInUse
from shared.auth import Principal
from shared.db import insert_rows, keyset_page
from shared.regions import CITY


class _Scoped:
    """County staff see what is located in, or recorded by, their county; city staff all."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _scoped(self, query: sa.Select, county: sa.ColumnElement, office: sa.ColumnElement) -> sa.Select:
        if self.principal.region == CITY:
            return query
        return query.where(sa.or_(county == self.principal.region, office == self.principal.region))


# Built once: a plain SELECT (no ORM statement handling) with the list bound at execution.
_IN_USE = UsccInUse.__table__
_HELD = sa.select(_IN_USE.c.uscc, _IN_USE.c.kind).where(_IN_USE.c.uscc.in_(sa.bindparam("usccs", expanding=True)))


async def held(session: AsyncSession, usccs: Iterable[str]) -> dict[str, str]:
    """Which of these USCCs the service holds already, and as what (`registration` or
    `kindergarten_class`); unscoped: a USCC is one record city-wide."""
    result = await session.execute(_HELD, {"usccs": list(set(usccs))})
    return {uscc: kind for uscc, kind in result.all()}


def in_use(uscc: str, kind: str) -> dict[str, str]:
    """The row of `uscc_in_use` written with a new record: its key refuses a second one."""
    return {"uscc": uscc, "kind": kind}


class RegistrationRepository(_Scoped):
    def _visible(self, query: sa.Select) -> sa.Select:
        return self._scoped(query, Registration.county, Registration.registrar_region)

    async def get(self, uscc: str, *, for_update: bool = False) -> Registration | None:
        query = self._visible(sa.select(Registration).where(Registration.uscc == uscc))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def insert(self, values: dict[str, Any]) -> None:
        """A new registration, as a plain INSERT (the ORM's unit of work costs more than the
        statement for one new row that nothing else in the transaction touches); inside
        `inserts_together`, sent with the audit record and event in one statement. A USCC already
        registered is refused by the unique key, as `IntegrityError` (`shared.db.unique_refused` tells
        it apart): the key, not a read before, decides between two registrations of one USCC at once.
        So does the key of `uscc_in_use`, written after it, between a registration and a 托班 ledger
        entry of one USCC."""
        await insert_rows(self.session, Registration.__table__, [values])
        await insert_rows(self.session, _IN_USE, [in_use(values["uscc"], "registration")])

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
        query = self._visible(sa.select(Registration))
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
        return await keyset_page(self.session, query, Registration.uscc, after, limit)

    async def counts(self, month: tuple[dt.date, dt.date], region: str | None) -> list[tuple[str, str, int]]:
        """(registrar_region, registrar, registered) for the month, counted in the database,
        the kindergarten 托班 ledger included as registrar `jiaoyu`."""
        visible_offices = [self.principal.region] if self.principal.region != CITY else None
        regs = sa.select(
            Registration.registrar_region.label("office"), Registration.registrar.label("registrar"), sa.func.count().label("n")
        ).where(Registration.registered_on.between(*month))
        kgs = sa.select(
            KindergartenClass.ledger_region.label("office"), sa.literal("jiaoyu").label("registrar"), sa.func.count().label("n")
        ).where(KindergartenClass.recorded_on.between(*month))
        offices = [region] if region else visible_offices
        if offices is not None:
            regs = regs.where(Registration.registrar_region.in_(offices))
            kgs = kgs.where(KindergartenClass.ledger_region.in_(offices))
        regs = regs.group_by(Registration.registrar_region, Registration.registrar)
        kgs = kgs.group_by(KindergartenClass.ledger_region)
        rows = (await self.session.execute(sa.union_all(regs, kgs))).all()
        return sorted((r.office, r.registrar, r.n) for r in rows)


class KindergartenRepository(_Scoped):
    def _visible(self, query: sa.Select) -> sa.Select:
        return self._scoped(query, KindergartenClass.county, KindergartenClass.ledger_region)

    async def get(self, uscc: str, *, for_update: bool = False) -> KindergartenClass | None:
        query = self._visible(sa.select(KindergartenClass).where(KindergartenClass.uscc == uscc))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    def add(self, row: KindergartenClass) -> None:
        self.session.add_all([row, UsccInUse(**in_use(row.uscc, "kindergarten_class"))])

    async def page(self, *, county: str | None, status: str | None, after: str | None, limit: int) -> list[KindergartenClass]:
        query = self._visible(sa.select(KindergartenClass))
        if county:
            query = query.where(KindergartenClass.county == county)
        if status:
            query = query.where(KindergartenClass.status == status)
        return await keyset_page(self.session, query, KindergartenClass.uscc, after, limit)


class ImportRepository(_Scoped):
    def add(self, batch: ImportBatch) -> None:
        self.session.add(batch)

    async def get(self, batch_id: str) -> ImportBatch | None:
        query = sa.select(ImportBatch).where(ImportBatch.id == batch_id)
        if self.principal.region != CITY:
            query = query.where(ImportBatch.region == self.principal.region)
        return (await self.session.execute(query)).scalar_one_or_none()
