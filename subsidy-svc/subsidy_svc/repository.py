"""Every query of the subsidy service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.regions import CITY
from subsidy_svc.models import CertificateFact, DesignationFact, FindingFact, Institution


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


class FactRepository:
    """Findings and designations as announced, one row each, kept at their latest version."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep(self, model: type[FindingFact] | type[DesignationFact], key: str, version: int, **values: object) -> None:
        row = await self.session.get(model, key, with_for_update=True)
        if row is None:
            self.session.add(model(**{model.__mapper__.primary_key[0].name: key}, version=version, **values))
        elif version > row.version:  # an older announcement arriving late changes nothing
            for name, value in {**values, "version": version}.items():
                setattr(row, name, value)

    async def open_critical_findings(self, uscc: str) -> int:
        query = sa.select(sa.func.count()).where(FindingFact.uscc == uscc, FindingFact.status == "open", FindingFact.severity == "critical")
        return (await self.session.execute(query)).scalar_one()

    async def designation_years(self, uscc: str, kind: str, status: str) -> list[int]:
        query = sa.select(DesignationFact.year).where(DesignationFact.uscc == uscc, DesignationFact.kind == kind, DesignationFact.status == status)
        return sorted((await self.session.execute(query)).scalars())


class CertificateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep(self, fact: CertificateFact) -> None:
        if await self.session.get(CertificateFact, fact.certificate_id) is None:  # a certificate never changes
            self.session.add(fact)

    async def of_practitioner(self, practitioner_id: str) -> list[CertificateFact]:
        query = sa.select(CertificateFact).where(CertificateFact.practitioner_id == practitioner_id).order_by(CertificateFact.issued_on)
        return list((await self.session.execute(query)).scalars())
