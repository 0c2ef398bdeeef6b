"""Every query of the supervision service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.models import (
    BudgetFact,
    Credit,
    CreditAppeal,
    Designation,
    Draw,
    Evaluation,
    ExchangeReceipt,
    Filing,
    Finding,
    FollowUp,
    InboxEntry,
    Inspection,
    PaymentFact,
    Plan,
    Reconciliation,
    StaffFact,
    TrackerTarget,
    UnlicensedOperator,
)
from shared.auth import Principal
from shared.db import any_of, keyset, keyset_page
from shared.inbox import insert_row
from shared.regions import CITY
from shared.standards import CARERS

OPEN_FILING = ("submitted", "accepted")
BATCH_READS = "inspection_batch_reads"


@dataclass
class BatchReads:
    """What the health inbox's handlers read, for a whole batch of registration events at once
    (`prefetch_arrivals`), kept in the batch's session: the inbox rows, open filings and banned
    operators of its institutions, locked as the one-by-one queries lock them."""

    inbox: dict[str, InboxEntry | None]
    filings: dict[str, list[Filing]]
    operators: list[UnlicensedOperator]
    matched: set[tuple[str, str, str]]  # the (uscc, name_key, county) the operators were read for
    # inbox rows this batch received first, written when its handlers are done (`insert_row`)
    arriving: dict[str, dict[str, Any]] = field(default_factory=dict)


def batch_reads(session: AsyncSession) -> BatchReads | None:
    return session.info.get(BATCH_READS)


async def prefetch_arrivals(session: AsyncSession, arrivals: list[tuple[str, str, str]]) -> None:
    """Read for (uscc, name_key, county) of a batch what `InboxRepository.get`,
    `FilingRepository.open_for` and `UnlicensedRepository.matching` would read one by one."""
    usccs = sorted({a[0] for a in arrivals})
    keys = sorted({a[1] for a in arrivals})
    entries = (await session.execute(sa.select(InboxEntry).where(any_of(InboxEntry.uscc, usccs)).with_for_update())).scalars()
    inbox: dict[str, InboxEntry | None] = dict.fromkeys(usccs)
    inbox.update({e.uscc: e for e in entries})
    filings: dict[str, list[Filing]] = {u: [] for u in usccs}
    query = sa.select(Filing).where(any_of(Filing.uscc, usccs), Filing.status.in_(OPEN_FILING)).with_for_update()
    for filing in (await session.execute(query)).scalars():
        filings[filing.uscc].append(filing)
    same = sa.or_(any_of(UnlicensedOperator.uscc, usccs), any_of(UnlicensedOperator.name_key, keys))
    query = sa.select(UnlicensedOperator).where(same, UnlicensedOperator.status == "banned").with_for_update()
    operators = list((await session.execute(query)).scalars())
    session.info[BATCH_READS] = BatchReads(inbox, filings, operators, set(arrivals))


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
        if self.principal is None and (reads := batch_reads(self.session)) is not None and uscc in reads.inbox:
            return reads.inbox[uscc]
        query = self._scoped(sa.select(InboxEntry).where(InboxEntry.uscc == uscc))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def held_version(self, uscc: str) -> int | None:
        """The version of `uscc` the inbox holds (locked), as the events' own path sees it: what
        this batch received or prefetched, else a read."""
        if (reads := batch_reads(self.session)) is not None:
            if uscc in reads.arriving:
                return reads.arriving[uscc]["version"]
            if uscc in reads.inbox:
                entry = reads.inbox[uscc]
                return None if entry is None else entry.version
        query = sa.select(InboxEntry.version).where(InboxEntry.uscc == uscc).with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def insert(self, row: dict[str, Any]) -> None:
        await insert_row(self.session, InboxEntry.__table__, row)
        if (reads := batch_reads(self.session)) is not None:
            reads.arriving[row["uscc"]] = row  # the same dict: a later change in the batch is what gets written

    async def update(self, uscc: str, fields: dict[str, Any]) -> None:
        reads = batch_reads(self.session)
        if reads is not None and uscc in reads.arriving:
            reads.arriving[uscc].update(fields)
        elif reads is not None and (entry := reads.inbox.get(uscc)) is not None:
            for name, value in fields.items():
                setattr(entry, name, value)
        else:
            await self.session.execute(sa.update(InboxEntry).where(InboxEntry.uscc == uscc).values(**fields))

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
        return await keyset_page(self.session, query, InboxEntry.uscc, after, limit)

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

    async def same_month_rate(self, month: tuple[dt.date, dt.date]) -> float:
        query = sa.select(sa.func.count(), sa.func.sum(sa.case((InboxEntry.same_month, 1), else_=0))).where(
            InboxEntry.registered_on.between(*month)
        )
        total, same = (await self.session.execute(query)).one()
        return (same or 0) / total if total else 1.0

    async def visible(self, usccs: set[str]) -> set[str]:
        """Which of these USCCs the caller sees in the inbox."""
        query = self._scoped(sa.select(InboxEntry.uscc).where(InboxEntry.uscc.in_(sorted(usccs))))
        return set((await self.session.execute(query)).scalars())

    async def unfiled(self, *, county: str | None, registered_up_to: dt.date | None, after: str | None, limit: int) -> list[InboxEntry]:
        """Active institutions located in the county with no filing submitted or accepted (those
        registered up to a day, if given), a page in USCC order."""
        has_filing = sa.exists().where(Filing.uscc == InboxEntry.uscc, Filing.status.in_(OPEN_FILING))
        query = sa.select(InboxEntry).where(InboxEntry.kind == "institution", InboxEntry.status == "active", ~has_filing)
        if self.principal is not None and self.principal.region != CITY:
            query = query.where(InboxEntry.county == self.principal.region)
        if county:
            query = query.where(InboxEntry.county == county)
        if registered_up_to:
            query = query.where(InboxEntry.registered_on <= registered_up_to)
        return await keyset_page(self.session, query, InboxEntry.uscc, after, limit)


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
        if (reads := batch_reads(self.session)) is not None and uscc in reads.filings:
            return [f for f in reads.filings[uscc] if f.status in OPEN_FILING]
        query = sa.select(Filing).where(Filing.uscc == uscc, Filing.status.in_(OPEN_FILING)).with_for_update()
        return list((await self.session.execute(query)).scalars())

    async def next_sequence(self, uscc: str) -> int:
        count = await self.session.execute(sa.select(sa.func.count()).select_from(Filing).where(Filing.uscc == uscc))
        return count.scalar_one() + 1

    def add(self, filing: Filing) -> None:
        self.session.add(filing)

    async def latest_status(self, uscc: str) -> str | None:
        query = sa.select(Filing.status).where(Filing.uscc == uscc).order_by(Filing.sequence.desc()).limit(1)
        return (await self.session.execute(query)).scalar_one_or_none()

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
        if status == "overdue":  # past the clock that applies to each (`filing_overdue`)
            query = query.where(Filing.status == "submitted", Filing.answer_by < today)
        elif status:
            query = query.where(Filing.status == status)
        if region and region != CITY:
            query = query.where(Filing.county == region)
        if uscc:
            query = query.where(Filing.uscc == uscc)
        return await keyset_page(self.session, query, Filing.id, after, limit)


class ReconciliationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, run: Reconciliation) -> None:
        self.session.add(run)

    async def latest(self, limit: int) -> list[Reconciliation]:
        query = sa.select(Reconciliation).order_by(Reconciliation.id.desc()).limit(limit)
        return list((await self.session.execute(query)).scalars())


def _newest_first(query: sa.Select, day: sa.ColumnElement, key: sa.ColumnElement, after: tuple[dt.date, str] | None, limit: int) -> sa.Select:
    """A page, latest `day` first, then by `key`; `after` is the (day, key) of the previous page's last row."""
    if after is not None:
        query = query.where(sa.or_(day < after[0], sa.and_(day == after[0], key > after[1])))
    return query.order_by(day.desc(), key).limit(limit)


def _in_region(column: sa.ColumnElement, region: str | None) -> sa.ColumnElement | None:
    """`column` within `region` (a county, or the whole city)."""
    return None if region in (None, CITY) else column == region


class _Scoped:
    """Rows that belong to a county (`county` column): county staff see theirs, city staff all."""

    model: type

    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal

    def _scoped(self, query: sa.Select) -> sa.Select:
        if self.principal is None or self.principal.region == CITY:
            return query
        return query.where(self.model.county == self.principal.region)

    def add(self, row: object) -> None:
        self.session.add(row)

    async def get(self, key: str, *, for_update: bool = False):  # type: ignore[no-untyped-def]
        query = self._scoped(sa.select(self.model).where(self.model.__mapper__.primary_key[0] == key))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()


class RosterRepository:
    """监管名录: the supervised institutions of an agency in a region, with what weighs a draw."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def roster(self, agency: str, region: str) -> list[tuple[InboxEntry, str, int, int]]:
        """(entry, credit status, open major findings, open critical findings) per institution.
        The fire brigade's roster is the health bureau's list of filed venues (policy 三(三)4)."""
        open_by = (
            sa.select(
                Finding.uscc,
                sa.func.sum(sa.case((Finding.severity == "major", 1), else_=0)).label("major"),
                sa.func.sum(sa.case((Finding.severity == "critical", 1), else_=0)).label("critical"),
                sa.func.count().label("total"),
            )
            .where(Finding.status == "open")
            .group_by(Finding.uscc)
            .subquery()
        )
        query = (
            sa.select(
                InboxEntry,
                sa.func.coalesce(Credit.status, "normal"),
                sa.func.coalesce(open_by.c.major, 0),
                sa.func.coalesce(open_by.c.critical, 0),
            )
            .outerjoin(Credit, Credit.uscc == InboxEntry.uscc)
            .outerjoin(open_by, open_by.c.uscc == InboxEntry.uscc)
            .where(InboxEntry.kind == "institution", InboxEntry.status == "active")
            .order_by(InboxEntry.uscc)
        )
        if (where := _in_region(InboxEntry.county, region)) is not None:
            query = query.where(where)
        if agency == "xiaofang":
            query = query.where(sa.exists().where(Filing.uscc == InboxEntry.uscc, Filing.status == "accepted"))
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in (await self.session.execute(query)).all()]


class PlanRepository(_Scoped):
    model = Plan

    def _scoped(self, query: sa.Select) -> sa.Select:
        if self.principal is None or self.principal.region == CITY:
            return query
        return query.where(Plan.region == self.principal.region)

    async def page(self, *, agency: str | None, year: int | None, region: str | None, after: str | None, limit: int) -> list[Plan]:
        query = self._scoped(sa.select(Plan))
        if agency:
            query = query.where(Plan.agency == agency)
        if year:
            query = query.where(Plan.year == year)
        if region:
            query = query.where(Plan.region == region)
        return await keyset_page(self.session, query, Plan.id, after, limit)


class DrawRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, draw: Draw) -> None:
        self.session.add(draw)

    async def of_plan(self, plan_id: str) -> Draw | None:
        return (await self.session.execute(sa.select(Draw).where(Draw.plan_id == plan_id))).scalar_one_or_none()

    async def drawn(self, plan_ids: list[str]) -> set[str]:
        """Which of these plans are drawn."""
        query = sa.select(Draw.plan_id).where(Draw.plan_id.in_(plan_ids))
        return set((await self.session.execute(query)).scalars())

    async def published(self, region: str | None, year: int | None, after: str | None, limit: int) -> list[tuple[Draw, Plan]]:
        query = sa.select(Draw, Plan).join(Plan, Plan.id == Draw.plan_id)
        if region:
            query = query.where(Plan.region == region)
        if year:
            query = query.where(Plan.year == year)
        return [(d, p) for d, p in (await self.session.execute(keyset(query, Draw.plan_id, after, limit))).all()]


class InspectionRepository(_Scoped):
    model = Inspection

    async def page(self, *, uscc: str | None, agency: str | None, region: str | None, after: str | None, limit: int) -> list[Inspection]:
        query = self._scoped(sa.select(Inspection))
        if uscc:
            query = query.where(Inspection.uscc == uscc)
        if agency:
            query = query.where(Inspection.agency == agency)
        if (where := _in_region(Inspection.county, region)) is not None:
            query = query.where(where)
        return await keyset_page(self.session, query, Inspection.id, after, limit)

    async def public(
        self, *, county: str | None, uscc: str | None, agency: str | None, year: int | None, after: tuple[dt.date, str] | None, limit: int
    ) -> list[Inspection]:
        query = sa.select(Inspection)
        if county:
            query = query.where(Inspection.county == county)
        if uscc:
            query = query.where(Inspection.uscc == uscc)
        if agency:
            query = query.where(Inspection.agency == agency)
        if year:
            query = query.where(Inspection.inspected_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        return list((await self.session.execute(_newest_first(query, Inspection.inspected_on, Inspection.id, after, limit))).scalars())

    async def last_inspected_on(self, uscc: str) -> dt.date | None:
        query = sa.select(sa.func.max(Inspection.inspected_on)).where(Inspection.uscc == uscc)
        return (await self.session.execute(query)).scalar_one_or_none()

    def add_follow_up(self, follow_up: FollowUp) -> None:
        self.session.add(follow_up)


class FindingRepository(_Scoped):
    model = Finding

    async def of_inspections(self, inspection_ids: list[str]) -> list[Finding]:
        query = sa.select(Finding).where(Finding.inspection_id.in_(inspection_ids)).order_by(Finding.raised_on, Finding.id)
        return list((await self.session.execute(query)).scalars())

    async def of_institution(self, uscc: str) -> list[Finding]:
        return list((await self.session.execute(sa.select(Finding).where(Finding.uscc == uscc))).scalars())

    async def page(
        self, *, status: str | None, overdue_on: dt.date | None, region: str | None, uscc: str | None, after: str | None, limit: int
    ) -> list[Finding]:
        query = self._scoped(sa.select(Finding))
        if status:
            query = query.where(Finding.status == status)
        if overdue_on is not None:
            query = query.where(Finding.status == "open", Finding.deadline < overdue_on)
        if (where := _in_region(Finding.county, region)) is not None:
            query = query.where(where)
        if uscc:
            query = query.where(Finding.uscc == uscc)
        return await keyset_page(self.session, query, Finding.id, after, limit)

    async def open_critical(self, uscc: str) -> int:
        query = sa.select(sa.func.count()).where(Finding.uscc == uscc, Finding.status == "open", Finding.severity == "critical")
        return (await self.session.execute(query)).scalar_one()


class CreditRepository(_Scoped):
    model = Credit

    async def appeals(self, uscc: str) -> list[CreditAppeal]:
        query = sa.select(CreditAppeal).where(CreditAppeal.uscc == uscc).order_by(CreditAppeal.filed_on)
        return list((await self.session.execute(query)).scalars())

    def _appeals(self) -> sa.Select:
        """Appeals of the institutions in the caller's region (by the county of their listing)."""
        query = sa.select(CreditAppeal).join(Credit, Credit.uscc == CreditAppeal.uscc)
        if self.principal is None or self.principal.region == CITY:
            return query
        return query.where(Credit.county == self.principal.region)

    async def appeal(self, appeal_id: str, *, for_update: bool = False) -> CreditAppeal | None:
        query = self._appeals().where(CreditAppeal.id == appeal_id)
        if for_update:
            query = query.with_for_update(of=CreditAppeal)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def appeals_page(self, *, status: str | None, uscc: str | None, after: str | None, limit: int) -> list[CreditAppeal]:
        query = self._appeals()
        if uscc:
            query = query.where(CreditAppeal.uscc == uscc)
        if status:
            query = query.where(CreditAppeal.status == status)
        return await keyset_page(self.session, query, CreditAppeal.id, after, limit)

    async def institutions(self) -> list[str]:
        """Every institution whose standing may change with time alone."""
        query = sa.select(InboxEntry.uscc).where(InboxEntry.kind == "institution", InboxEntry.status == "active")
        return list((await self.session.execute(query)).scalars())


class UnlicensedRepository(_Scoped):
    model = UnlicensedOperator

    async def matching(self, *, uscc: str | None, name_key: str, county: str) -> list[UnlicensedOperator]:
        """Banned operators that are the same as a registration: by USCC, or by name in the county."""
        if (reads := batch_reads(self.session)) is not None and (uscc or "", name_key, county) in reads.matched:
            return [
                r for r in reads.operators
                if r.status == "banned" and ((r.county == county and r.name_key == name_key) or (uscc and r.uscc == uscc))
            ]  # fmt: skip
        same = sa.and_(UnlicensedOperator.county == county, UnlicensedOperator.name_key == name_key)
        if uscc:
            same = sa.or_(same, UnlicensedOperator.uscc == uscc)
        query = sa.select(UnlicensedOperator).where(same, UnlicensedOperator.status == "banned").with_for_update()
        return list((await self.session.execute(query)).scalars())

    async def page(self, *, status: str | None, after: str | None, limit: int) -> list[UnlicensedOperator]:
        query = self._scoped(sa.select(UnlicensedOperator))
        if status:
            query = query.where(UnlicensedOperator.status == status)
        return await keyset_page(self.session, query, UnlicensedOperator.id, after, limit)

    async def registered_match(self, *, uscc: str | None, name_key: str, county: str) -> InboxEntry | None:
        """A registered institution that is the operator (so it is not unlicensed after all). Only a
        registration in force counts: one deregistered that goes on taking children is banned (取缔, 三(三)3)."""
        same = sa.and_(InboxEntry.county == county, InboxEntry.name_key == name_key)
        if uscc:
            same = sa.or_(same, InboxEntry.uscc == uscc)
        query = sa.select(InboxEntry).where(same, InboxEntry.kind == "institution", InboxEntry.status == "active").limit(1)
        return (await self.session.execute(query)).scalar_one_or_none()


class EvaluationRepository(_Scoped):
    model = Evaluation

    async def page(self, *, uscc: str | None, status: str | None, after: str | None, limit: int) -> list[Evaluation]:
        query = self._scoped(sa.select(Evaluation))
        if uscc:
            query = query.where(Evaluation.uscc == uscc)
        if status:
            query = query.where(Evaluation.status == status)
        return await keyset_page(self.session, query, Evaluation.id, after, limit)

    async def due_for_publication(self, today: dt.date) -> list[Evaluation]:
        query = sa.select(Evaluation).where(Evaluation.status == "in_review", Evaluation.review_ends_on < today).with_for_update()
        return list((await self.session.execute(query)).scalars())

    async def latest_rating(self, uscc: str) -> str | None:
        query = (
            sa.select(Evaluation.rating)
            .where(Evaluation.uscc == uscc, Evaluation.status == "published")
            .order_by(Evaluation.evaluated_on.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def public(self, *, county: str | None, uscc: str | None, after: tuple[dt.date, str] | None, limit: int) -> list[Evaluation]:
        query = sa.select(Evaluation).where(Evaluation.status == "published")
        if county:
            query = query.where(Evaluation.county == county)
        if uscc:
            query = query.where(Evaluation.uscc == uscc)
        return list((await self.session.execute(_newest_first(query, Evaluation.published_on, Evaluation.id, after, limit))).scalars())


class DesignationRepository(_Scoped):
    model = Designation

    async def standing(self, uscc: str, kind: str, year: int, *, for_update: bool = False) -> Designation | None:
        """The designation of that kind and year that is not withdrawn, if any."""
        query = sa.select(Designation).where(
            Designation.uscc == uscc, Designation.kind == kind, Designation.year == year, Designation.status != "withdrawn"
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalars().first()

    async def page(self, *, kind: str | None, year: int | None, status: str | None, after: str | None, limit: int) -> list[Designation]:
        query = self._scoped(sa.select(Designation))
        if kind:
            query = query.where(Designation.kind == kind)
        if year:
            query = query.where(Designation.year == year)
        if status:
            query = query.where(Designation.status == status)
        return await keyset_page(self.session, query, Designation.id, after, limit)


class PublicRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def institutions(
        self, *, name: str | None, county: str | None, inclusive_year: int | None, after: str | None, limit: int
    ) -> list[InboxEntry]:
        """Registered institutions by name, county and (optionally) 普惠 recognition of a year."""
        query = sa.select(InboxEntry).where(InboxEntry.kind == "institution", InboxEntry.status == "active")
        if name:
            query = query.where(InboxEntry.name.contains(name, autoescape=True))
        if county:
            query = query.where(InboxEntry.county == county)
        if inclusive_year:
            query = query.where(
                sa.exists().where(
                    Designation.uscc == InboxEntry.uscc,
                    Designation.kind == "inclusive",
                    Designation.year == inclusive_year,
                    Designation.status == "recognised",
                )
            )
        return await keyset_page(self.session, query, InboxEntry.uscc, after, limit)

    async def standing(self, usccs: list[str], year: int) -> dict[str, dict[str, object]]:
        """Per institution: filing status, 普惠 that year, demonstration, latest published rating."""
        out: dict[str, dict[str, object]] = {u: {"filing": None, "inclusive": False, "demonstration": False, "rating": None} for u in usccs}
        latest_filing = (
            sa.select(Filing.uscc, Filing.status, sa.func.row_number().over(partition_by=Filing.uscc, order_by=Filing.sequence.desc()).label("n"))
            .where(Filing.uscc.in_(usccs))
            .subquery()
        )
        for uscc, status in (await self.session.execute(sa.select(latest_filing.c.uscc, latest_filing.c.status).where(latest_filing.c.n == 1))).all():
            out[uscc]["filing"] = status
        designations = sa.select(Designation.uscc, Designation.kind).where(
            Designation.uscc.in_(usccs), Designation.year == year, Designation.status.in_(("recognised", "confirmed"))
        )
        for uscc, kind in (await self.session.execute(designations)).all():
            out[uscc]["inclusive" if kind == "inclusive" else "demonstration"] = True
        latest_rating = (
            sa.select(Evaluation.uscc, Evaluation.rating, sa.func.row_number().over(partition_by=Evaluation.uscc, order_by=Evaluation.evaluated_on.desc()).label("n"))
            .where(Evaluation.uscc.in_(usccs), Evaluation.status == "published")
            .subquery()
        )
        for uscc, rating in (await self.session.execute(sa.select(latest_rating.c.uscc, latest_rating.c.rating).where(latest_rating.c.n == 1))).all():
            out[uscc]["rating"] = rating
        return out

    async def filed_institutions(self, county: str | None, after: str | None, limit: int) -> list[tuple[InboxEntry, dt.date | None]]:
        query = (
            sa.select(InboxEntry, Filing.decided_on)
            .join(Filing, Filing.uscc == InboxEntry.uscc)
            .where(Filing.status == "accepted", InboxEntry.status == "active")
        )
        if county:
            query = query.where(InboxEntry.county == county)
        return [(e, d) for e, d in (await self.session.execute(keyset(query, InboxEntry.uscc, after, limit))).all()]

    async def returned_filings(self, county: str | None, after: tuple[dt.date, str] | None, limit: int) -> list[Filing]:
        """Filings returned (made public with their reasons), the latest decisions first."""
        query = sa.select(Filing).where(Filing.status == "returned")
        if county:
            query = query.where(Filing.county == county)
        return list((await self.session.execute(_newest_first(query, Filing.decided_on, Filing.id, after, limit))).scalars())


class StaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, practitioner_id: str) -> StaffFact | None:
        return await self.session.get(StaffFact, practitioner_id, with_for_update=True)

    def add(self, row: StaffFact) -> None:
        self.session.add(row)

    async def of_employer(self, uscc: str) -> list[StaffFact]:
        query = sa.select(StaffFact).where(StaffFact.employer_uscc == uscc, StaffFact.employed.is_(True))
        return list((await self.session.execute(query)).scalars())


class ReceiptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, receipt: dict[str, Any]) -> None:
        await insert_row(self.session, ExchangeReceipt.__table__, receipt)

    async def of_topics(self, topics: list[str]) -> dict[str, ExchangeReceipt]:
        query = sa.select(ExchangeReceipt).where(ExchangeReceipt.topic.in_(topics))
        return {r.event_id: r for r in (await self.session.execute(query)).scalars()}


class TrackerRepository:
    """The joint meeting's figures, aggregated in the database per county (`county`: one county
    only, for county staff). Each method answers {county: {indicator: value}}."""

    def __init__(self, session: AsyncSession, county: str | None = None) -> None:
        self.session = session
        self.county = county

    def _in(self, column: sa.ColumnElement) -> sa.ColumnElement:
        return sa.true() if self.county is None else column == self.county

    @staticmethod
    def _standing(day: dt.date) -> sa.ColumnElement:
        """Registered by `day` and not ended by it."""
        return sa.and_(InboxEntry.registered_on <= day, sa.or_(InboxEntry.ended_on.is_(None), InboxEntry.ended_on > day))

    async def _grouped(self, query: sa.Select) -> list[sa.Row]:
        return list((await self.session.execute(query)).all())

    async def supply(self, day: dt.date) -> dict[str, dict[str, int]]:
        query = (
            sa.select(InboxEntry.county, InboxEntry.kind, InboxEntry.area, sa.func.count(), sa.func.sum(InboxEntry.places))
            .where(self._standing(day), self._in(InboxEntry.county))
            .group_by(InboxEntry.county, InboxEntry.kind, InboxEntry.area)
        )
        out: dict[str, dict[str, int]] = {}
        for county, kind, area, count, places in await self._grouped(query):
            figures = out.setdefault(county, {})
            keys = ("kindergarten_places",) if kind != "institution" else ("places", f"places_{area}") if area else ("places",)
            for key in keys:
                figures[key] = figures.get(key, 0) + int(places or 0)
            if kind == "institution":
                for key in ("institutions", f"institutions_{area}") if area else ("institutions",):
                    figures[key] = figures.get(key, 0) + count
        return out

    @staticmethod
    def _inclusive(year: sa.ColumnElement | int, uscc: sa.ColumnElement) -> sa.Exists:
        return sa.exists().where(
            Designation.uscc == uscc, Designation.kind == "inclusive", Designation.year == year, Designation.status == "recognised"
        )

    def _demonstration(self, year: int) -> sa.ColumnElement:
        """Demonstrations of the year or before, by the year they are for: one entered late still counts for its year."""
        return sa.and_(Designation.kind == "demonstration", Designation.year <= year, self._in(Designation.county))

    async def inclusive(self, year: int, day: dt.date) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        recognised = (
            sa.select(InboxEntry.county, sa.func.count(), sa.func.sum(InboxEntry.places))
            .where(InboxEntry.kind == "institution", self._standing(day), self._in(InboxEntry.county), self._inclusive(year, InboxEntry.uscc))
            .group_by(InboxEntry.county)
        )
        for county, count, places in await self._grouped(recognised):
            out.setdefault(county, {}).update(inclusive_institutions=count, inclusive_places=int(places or 0))
        demonstration = self._demonstration(year)
        confirmed = Designation.status == "confirmed"
        inclusive_confirmed = sa.and_(confirmed, self._inclusive(Designation.year, Designation.uscc))
        demonstrations = (
            sa.select(
                Designation.county,
                sa.func.count(sa.distinct(Designation.uscc)),
                sa.func.count(sa.distinct(sa.case((confirmed, Designation.uscc)))),
                sa.func.count(sa.distinct(sa.case((inclusive_confirmed, Designation.uscc)))),
            )
            .where(demonstration, Designation.status.in_(("nominated", "confirmed")))
            .group_by(Designation.county)
        )
        for county, sites, institutions, inclusive in await self._grouped(demonstrations):
            out.setdefault(county, {}).update(
                demonstration_sites=sites, demonstration_institutions=institutions, inclusive_demonstrations=inclusive
            )
        return out

    async def push(self, first: dt.date, last: dt.date) -> dict[str, dict[str, int]]:
        query = (
            sa.select(InboxEntry.county, sa.func.count(), sa.func.sum(sa.case((InboxEntry.same_month, 1), else_=0)))
            .where(InboxEntry.registered_on.between(first, last), self._in(InboxEntry.county))
            .group_by(InboxEntry.county)
        )
        return {county: {"registered": n, "received_same_month": int(same or 0)} for county, n, same in await self._grouped(query)}

    async def filing(self, today: dt.date) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        pending = (
            sa.select(Filing.county, sa.func.count(), sa.func.sum(sa.case((Filing.answer_by < today, 1), else_=0)))
            .where(Filing.status == "submitted", self._in(Filing.county))
            .group_by(Filing.county)
        )
        for county, n, overdue in await self._grouped(pending):
            out.setdefault(county, {}).update(filings_pending=n, filings_overdue=int(overdue or 0))
        unfiled = (
            sa.select(InboxEntry.county, sa.func.count())
            .where(self._unfiled(), self._in(InboxEntry.county))
            .group_by(InboxEntry.county)
        )
        for county, n in await self._grouped(unfiled):
            out.setdefault(county, {})["unfiled"] = n
        return out

    @staticmethod
    def _unfiled() -> sa.ColumnElement:
        has_filing = sa.exists().where(Filing.uscc == InboxEntry.uscc, Filing.status.in_(OPEN_FILING))
        return sa.and_(InboxEntry.kind == "institution", InboxEntry.status == "active", ~has_filing)

    async def drawn(self, year: int) -> list[tuple[str, str, str]]:
        """(plan, uscc, county) for every institution the year's plans drew."""
        draws = (await self.session.execute(sa.select(Draw.plan_id, Draw.assignments).join(Plan, Plan.id == Draw.plan_id).where(Plan.year == year))).all()
        pairs = [(plan_id, a["uscc"]) for plan_id, assignments in draws for a in assignments]
        counties = await self._counties({uscc for _, uscc in pairs})
        return [(plan_id, uscc, counties[uscc]) for plan_id, uscc in pairs if uscc in counties and self.county in (None, counties[uscc])]

    async def _counties(self, usccs: set[str]) -> dict[str, str]:
        if not usccs:
            return {}
        query = sa.select(InboxEntry.uscc, InboxEntry.county).where(InboxEntry.uscc.in_(sorted(usccs)))
        return {uscc: county for uscc, county in (await self.session.execute(query)).all()}

    async def inspected(self, plan_ids: set[str]) -> set[tuple[str, str]]:
        if not plan_ids:
            return set()
        query = sa.select(Inspection.plan_id, Inspection.uscc).where(Inspection.plan_id.in_(sorted(plan_ids))).distinct()
        return {(p, u) for p, u in (await self.session.execute(query)).all() if p is not None}

    def _carers(self) -> sa.Select:
        """Employed carers (育婴员, 保育员) of the standing institutions, with their certificates."""
        return (
            sa.select(InboxEntry.county, InboxEntry.uscc, StaffFact.occupation, StaffFact.certified_occupations)
            .join(InboxEntry, InboxEntry.uscc == StaffFact.employer_uscc)
            .where(
                StaffFact.employed.is_(True),
                StaffFact.volunteer.is_(False),
                StaffFact.occupation.in_(CARERS),
                InboxEntry.kind == "institution",
                InboxEntry.status == "active",
                self._in(InboxEntry.county),
            )
        )

    async def workforce(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        required = (
            sa.select(InboxEntry.county, sa.func.sum(InboxEntry.required_carers))
            .where(InboxEntry.kind == "institution", InboxEntry.status == "active", self._in(InboxEntry.county))
            .group_by(InboxEntry.county)
        )
        for county, n in await self._grouped(required):
            out.setdefault(county, {"certified_carers": 0})["required_carers"] = int(n or 0)
        # whether a carer holds a certificate of their own occupation is a test inside a JSON list,
        # which the two databases spell differently: counted here, over carers only
        for county, _, occupation, certified in await self._grouped(self._carers()):
            figures = out.setdefault(county, {"certified_carers": 0, "required_carers": 0})
            figures["certified_carers"] += occupation in certified
        return out

    async def subsidy(self, year: int) -> dict[str, dict[str, int]]:
        """Per budget region (a county, or the city's own lines under 441800)."""
        out: dict[str, dict[str, int]] = {}
        budgets = sa.select(BudgetFact.region, sa.func.sum(BudgetFact.amount_fen)).where(BudgetFact.year == year, self._in(BudgetFact.region))
        for region, amount in await self._grouped(budgets.group_by(BudgetFact.region)):
            out.setdefault(region, {})["budget_fen"] = int(amount or 0)
        paid = sa.select(PaymentFact.region, sa.func.sum(PaymentFact.amount_fen)).where(PaymentFact.year == year, self._in(PaymentFact.region))
        for region, amount in await self._grouped(paid.group_by(PaymentFact.region)):
            out.setdefault(region, {})["paid_fen"] = int(amount or 0)
        return out

    # -- the monthly trend -----------------------------------------------------------------

    async def _by_month(self, column: sa.ColumnElement, first: dt.date, last: dt.date, *values: sa.ColumnElement, where: sa.ColumnElement) -> dict[int, tuple]:
        month = sa.extract("month", column)
        query = sa.select(month, *values).where(column.between(first, last), where).group_by(month)
        return {int(m): tuple(int(v or 0) for v in rest) for m, *rest in await self._grouped(query)}

    async def trend(self, first: dt.date, last: dt.date) -> dict[str, dict[int, tuple]]:
        """Per month of [first, last]: institutions registered and ended (count, places), the
        registrations pushed (count, in the same month), money booked; and what stood before."""
        institution = sa.and_(InboxEntry.kind == "institution", self._in(InboxEntry.county))
        count, places = sa.func.count(), sa.func.sum(InboxEntry.places)
        before = first - dt.timedelta(days=1)
        standing = sa.select(count, places).where(institution, self._standing(before))
        base = (await self.session.execute(standing)).one()
        return {
            "base": {0: (int(base[0]), int(base[1] or 0))},
            "registered": await self._by_month(InboxEntry.registered_on, first, last, count, places, where=institution),
            "ended": await self._by_month(InboxEntry.ended_on, first, last, count, places, where=institution),
            "pushed": await self._by_month(
                InboxEntry.registered_on, first, last, count, sa.func.sum(sa.case((InboxEntry.same_month, 1), else_=0)),
                where=self._in(InboxEntry.county),
            ),
            "paid": await self._by_month(
                PaymentFact.booked_on, first, last, sa.func.sum(PaymentFact.amount_fen),
                where=sa.and_(PaymentFact.year == first.year, self._in(PaymentFact.region)),
            ),
        }

    # -- the records behind a figure ---------------------------------------------------------

    async def institutions(self, day: dt.date, *, kind: str, area: str | None, inclusive_year: int | None, after: str | None, limit: int) -> list[InboxEntry]:
        query = sa.select(InboxEntry).where(InboxEntry.kind == kind, self._standing(day), self._in(InboxEntry.county))
        if area:
            query = query.where(InboxEntry.area == area)
        if inclusive_year:
            query = query.where(self._inclusive(inclusive_year, InboxEntry.uscc))
        return await keyset_page(self.session, query, InboxEntry.uscc, after, limit)

    async def registrations(self, first: dt.date, last: dt.date, *, same_month: bool | None, after: str | None, limit: int) -> list[InboxEntry]:
        query = sa.select(InboxEntry).where(InboxEntry.registered_on.between(first, last), self._in(InboxEntry.county))
        if same_month is not None:
            query = query.where(InboxEntry.same_month.is_(same_month))
        return await keyset_page(self.session, query, InboxEntry.uscc, after, limit)

    async def unfiled(self, after: str | None, limit: int) -> list[InboxEntry]:
        return await keyset_page(self.session, sa.select(InboxEntry).where(self._unfiled(), self._in(InboxEntry.county)), InboxEntry.uscc, after, limit)

    async def filings(self, today: dt.date, *, overdue: bool, after: str | None, limit: int) -> list[Filing]:
        query = sa.select(Filing).where(Filing.status == "submitted", self._in(Filing.county))
        if overdue:
            query = query.where(Filing.answer_by < today)
        return await keyset_page(self.session, query, Filing.id, after, limit)

    async def demonstrations(self, year: int, *, which: str, after: str | None, limit: int) -> list[Designation]:
        query = sa.select(Designation).where(self._demonstration(year))
        if which == "demonstration_sites":
            query = query.where(Designation.status.in_(("nominated", "confirmed")))
        else:
            query = query.where(Designation.status == "confirmed")
        if which == "inclusive_demonstrations":
            query = query.where(self._inclusive(Designation.year, Designation.uscc))
        return await keyset_page(self.session, query, Designation.id, after, limit)

    async def carers_by_institution(self, after: str | None, limit: int) -> list[tuple[InboxEntry, int]]:
        """Standing institutions with the carers they need and the certified carers they have."""
        query = sa.select(InboxEntry).where(InboxEntry.kind == "institution", InboxEntry.status == "active", self._in(InboxEntry.county))
        rows = await keyset_page(self.session, query, InboxEntry.uscc, after, limit)
        certified: dict[str, int] = {}
        carers = self._carers().where(InboxEntry.uscc.in_([r.uscc for r in rows]))
        for _, uscc, occupation, held in await self._grouped(carers):
            certified[uscc] = certified.get(uscc, 0) + (occupation in held)
        return [(r, certified.get(r.uscc, 0)) for r in rows]

    async def budgets(self, year: int) -> list[BudgetFact]:
        query = sa.select(BudgetFact).where(BudgetFact.year == year, self._in(BudgetFact.region))
        return list((await self.session.execute(query.order_by(BudgetFact.region, BudgetFact.programme, BudgetFact.level))).scalars())

    async def payments(self, year: int, after: str | None, limit: int) -> list[PaymentFact]:
        return await keyset_page(self.session, sa.select(PaymentFact).where(PaymentFact.year == year, self._in(PaymentFact.region)), PaymentFact.entry_id, after, limit)

    # -- targets and subsidy facts ---------------------------------------------------------

    async def targets(self) -> list[TrackerTarget]:
        return list((await self.session.execute(sa.select(TrackerTarget).order_by(TrackerTarget.from_year, TrackerTarget.code))).scalars())

    async def target(self, code: str, *, for_update: bool = False) -> TrackerTarget | None:
        return await self.session.get(TrackerTarget, code, with_for_update=for_update)

    async def budget_fact(self, programme: str, year: int, region: str, level: str) -> BudgetFact | None:
        return await self.session.get(BudgetFact, (programme, year, region, level), with_for_update=True)

    async def payment_fact(self, entry_id: str) -> PaymentFact | None:
        return await self.session.get(PaymentFact, entry_id)

    def add(self, row: object) -> None:
        self.session.add(row)

    async def delete(self, row: object) -> None:
        await self.session.delete(row)
