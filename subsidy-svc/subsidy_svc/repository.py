"""Every query of the subsidy service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.db import keyset_page, utcnow
from shared.regions import CITY
from subsidy_svc.domain.programmes import CERTIFICATE_PROGRAMMES
from subsidy_svc.models import (
    Application,
    ApprovalLine,
    Budget,
    CertificateFact,
    DesignationFact,
    DisbursementBatch,
    FeeStandard,
    FindingFact,
    Institution,
    LedgerEntry,
    Programme,
)


class InstitutionRepository:
    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal  # None: the service itself, applying events

    async def get(self, uscc: str) -> Institution | None:
        query = sa.select(Institution).where(Institution.uscc == uscc)
        if self.principal is not None and self.principal.region != CITY:
            query = query.where(Institution.county == self.principal.region)
        return (await self.session.execute(query)).scalar_one_or_none()


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
    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal  # None: the service itself, deciding a claim

    async def keep(self, fact: CertificateFact) -> None:
        if await self.session.get(CertificateFact, fact.certificate_id) is None:  # a certificate never changes
            self.session.add(fact)

    async def of_practitioner(self, practitioner_id: str) -> list[CertificateFact]:
        query = sa.select(CertificateFact).where(CertificateFact.practitioner_id == practitioner_id).order_by(CertificateFact.issued_on)
        return list((await self.session.execute(query)).scalars())

    async def page(self, *, practitioner_id: str | None, after: str | None, limit: int) -> list[CertificateFact]:
        """As a county office sees them: its own county's (属地管理)."""
        query = sa.select(CertificateFact)
        if self.principal is not None and self.principal.region != CITY:
            query = query.where(CertificateFact.county == self.principal.region)
        if practitioner_id:
            query = query.where(CertificateFact.practitioner_id == practitioner_id)
        return await keyset_page(self.session, query, CertificateFact.certificate_id, after, limit)


class ProgrammeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str, *, for_update: bool = False) -> Programme | None:
        return await self.session.get(Programme, code, with_for_update=for_update)

    async def all(self) -> list[Programme]:
        return list((await self.session.execute(sa.select(Programme).order_by(Programme.code))).scalars())


class BudgetRepository:
    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal

    def add(self, row: Budget) -> None:
        self.session.add(row)

    async def line(self, programme: str, year: int, region: str, level: str) -> Budget | None:
        query = sa.select(Budget).where(Budget.programme == programme, Budget.year == year, Budget.region == region, Budget.level == level)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def commit(self, programme: str, year: int, region: str, level: str, amount_fen: int) -> bool:
        """Commit `amount_fen` against a line, atomically and never beyond what it holds."""
        result = await self.session.execute(
            sa.update(Budget)
            .where(
                Budget.programme == programme,
                Budget.year == year,
                Budget.region == region,
                Budget.level == level,
                Budget.committed_fen + amount_fen <= Budget.amount_fen,
            )
            .values(committed_fen=Budget.committed_fen + amount_fen, updated_at=utcnow())
        )
        return result.rowcount == 1

    async def release(self, programme: str, year: int, region: str, level: str, amount_fen: int) -> None:
        await self.session.execute(
            sa.update(Budget)
            .where(Budget.programme == programme, Budget.year == year, Budget.region == region, Budget.level == level)
            .values(committed_fen=Budget.committed_fen - amount_fen, updated_at=utcnow())
        )

    def _scoped(self, query: sa.Select) -> sa.Select:
        if self.principal is None or self.principal.region == CITY:
            return query
        return query.where(Budget.region == self.principal.region)

    async def page(self, *, programme: str | None, year: int | None, region: str | None, after: str | None, limit: int) -> list[Budget]:
        query = self._scoped(sa.select(Budget))
        for column, value in ((Budget.programme, programme), (Budget.year, year), (Budget.region, region)):
            if value:
                query = query.where(column == value)
        return await keyset_page(self.session, query, Budget.id, after, limit)

    async def of_year(self, year: int) -> list[Budget]:
        """Every line of a year the caller sees, for the report."""
        query = self._scoped(sa.select(Budget).where(Budget.year == year))
        return list((await self.session.execute(query.order_by(Budget.programme, Budget.region, Budget.level))).scalars())


class ApplicationRepository:
    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal

    def _scoped(self, query: sa.Select) -> sa.Select:
        if self.principal is None or self.principal.region == CITY:
            return query
        return query.where(Application.region == self.principal.region)

    def add(self, row: object) -> None:
        self.session.add(row)

    def approve_lines(self, row: Application) -> None:
        """The approval standing on each of its budget lines (what the monthly report sums)."""
        assert row.approved_on is not None
        self.session.add_all(
            ApprovalLine(application_id=row.id, region=line["region"], level=line["level"], programme=row.programme, amount_fen=line["amount_fen"], approved_on=row.approved_on)
            for line in row.lines
        )

    async def withdraw_lines(self, row: Application) -> None:
        await self.session.execute(sa.delete(ApprovalLine).where(ApprovalLine.application_id == row.id))

    async def get(self, application_id: str, *, for_update: bool = False) -> Application | None:
        query = self._scoped(sa.select(Application).where(Application.id == application_id))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def standing_claim(self, programme: str, claim_key: str) -> Application | None:
        """The claim that is not rejected or reversed, if one stands (unscoped: once city-wide). A
        certificate earns one of the three training subsidies (三(四)2 职业培训补贴、技能鉴定补贴或技能
        提升补贴), so its claim stands whichever of them it was made under."""
        query = sa.select(Application).where(Application.status.not_in(("rejected", "reversed")))
        if programme in CERTIFICATE_PROGRAMMES:
            query = query.where(Application.certificate_id == claim_key)
        else:
            query = query.where(Application.programme == programme, Application.claim_key == claim_key)
        return (await self.session.execute(query)).scalars().first()

    async def claimed_certificates(self, certificate_ids: list[str]) -> set[str]:
        query = sa.select(Application.certificate_id).where(
            Application.certificate_id.in_(certificate_ids), Application.status.not_in(("rejected", "reversed"))
        )
        return set((await self.session.execute(query)).scalars())

    async def page(
        self, *, uscc: str | None, practitioner_id: str | None, status: str | None, programme: str | None, after: str | None, limit: int
    ) -> list[Application]:
        query = self._scoped(sa.select(Application))
        for column, value in ((Application.uscc, uscc), (Application.practitioner_id, practitioner_id), (Application.status, status), (Application.programme, programme)):
            if value:
                query = query.where(column == value)
        return await keyset_page(self.session, query, Application.id, after, limit)

    async def ledger_of(self, application_id: str) -> list[LedgerEntry]:
        query = sa.select(LedgerEntry).where(LedgerEntry.application_id == application_id).order_by(LedgerEntry.booked_on, LedgerEntry.kind)
        return list((await self.session.execute(query)).scalars())

    async def add_batch(self, batch: DisbursementBatch) -> None:
        self.session.add(batch)
        await self.session.flush()

    async def batch(self, batch_id: str) -> DisbursementBatch | None:
        return await self.session.get(DisbursementBatch, batch_id)

    async def batches(self, *, after: str | None, limit: int) -> list[DisbursementBatch]:
        return await keyset_page(self.session, sa.select(DisbursementBatch), DisbursementBatch.id, after, limit)


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def monthly(self, year: int, region: str | None) -> list[tuple[str, str, int, int, int, int, int, int]]:
        """(programme, region, month, applications, approved fen, paid fen net of reversals, fees
        reduced fen, children whose fees were reduced). Money on one basis: approved and paid per
        budget line (the region whose budget bears it), in the month of approval and of booking;
        applications counted in their county and month of application; fee reductions (recorded,
        never paid) in their county and the month they were for. Approvals standing (approved or
        paid, not rejected or reversed)."""
        month = sa.func.extract("month", LedgerEntry.booked_on)
        paid = (
            sa.select(LedgerEntry.programme, LedgerEntry.region, month.label("month"), sa.func.sum(LedgerEntry.amount_fen).label("paid"))
            .where(LedgerEntry.booked_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))  # a range: the index serves it
            .group_by(LedgerEntry.programme, LedgerEntry.region, month)
        )
        created_month = sa.func.extract("month", Application.created_on)
        applied = (
            sa.select(Application.programme, Application.region, created_month.label("month"), sa.func.count().label("applications"))
            .where(Application.created_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
            .group_by(Application.programme, Application.region, created_month)
        )
        approved_month = sa.func.extract("month", ApprovalLine.approved_on)
        approved = (
            sa.select(ApprovalLine.programme, ApprovalLine.region, approved_month.label("month"), sa.func.sum(ApprovalLine.amount_fen).label("approved"))
            .where(ApprovalLine.approved_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
            .group_by(ApprovalLine.programme, ApprovalLine.region, approved_month)
        )
        reduced = sa.select(Application.programme, Application.region, Application.amount_fen, Application.details).where(
            Application.year == year, Application.status == "recorded"
        )
        if region and region != CITY:
            paid = paid.where(LedgerEntry.region == region)
            applied = applied.where(Application.region == region)
            approved = approved.where(ApprovalLine.region == region)
            reduced = reduced.where(Application.region == region)
        rows: dict[tuple[str, str, int], list[int]] = {}

        def row(programme: str, line_region: str, month: int) -> list[int]:
            return rows.setdefault((programme, line_region, month), [0, 0, 0, 0, 0])

        for r in (await self.session.execute(applied)).all():
            row(r.programme, r.region, int(r.month))[0] = int(r.applications)
        for r in (await self.session.execute(approved)).all():
            row(r.programme, r.region, int(r.month))[1] = int(r.approved or 0)
        for r in (await self.session.execute(paid)).all():
            row(r.programme, r.region, int(r.month))[2] = int(r.paid or 0)
        for r in (await self.session.execute(reduced)).all():
            figures = row(r.programme, r.region, int(r.details["period"][5:7]))
            figures[3] += r.amount_fen
            figures[4] += r.details["martyrs_children"] + r.details["children_in_difficulty"]
        return [(p, reg, m, *v) for (p, reg, m), v in sorted(rows.items())]  # type: ignore[misc]


class PublicRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def fee_standards(self, *, year: int | None, county: str | None, history: bool, after: str | None, limit: int) -> list[FeeStandard]:
        """Those in force, or with `history` every version (the superseded ones too)."""
        query = sa.select(FeeStandard)
        if not history:
            query = query.where(FeeStandard.superseded_on.is_(None))
        if year:
            query = query.where(FeeStandard.year == year)
        if county:
            query = query.where(FeeStandard.county == county)
        return await keyset_page(self.session, query, FeeStandard.id, after, limit)

    async def fee_standard(self, year: int, county: str, service_type: str) -> FeeStandard | None:
        """The one in force."""
        query = sa.select(FeeStandard).where(
            FeeStandard.year == year, FeeStandard.county == county, FeeStandard.service_type == service_type, FeeStandard.superseded_on.is_(None)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def fee_standard_by_id(self, standard_id: str) -> FeeStandard | None:
        return await self.session.get(FeeStandard, standard_id, with_for_update=True)

    def add(self, row: FeeStandard) -> None:
        self.session.add(row)

    async def utility_rate_institutions(self, *, county: str | None, after: str | None, limit: int) -> list[Institution]:
        """政策：婴幼儿照护服务机构用水、用电、用气实行居民价格 — registered and filed institutions."""
        query = sa.select(Institution).where(Institution.registration_status == "active", Institution.filing_status == "accepted")
        if county:
            query = query.where(Institution.county == county)
        return await keyset_page(self.session, query, Institution.uscc, after, limit)

