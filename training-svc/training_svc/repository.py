"""Every query of the workforce service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.db import keyset_page
from shared.regions import CITY
from training_svc.models import (
    Attendance,
    Certificate,
    Competition,
    Course,
    CourseSession,
    Employer,
    Enrolment,
    HealthCheck,
    InServiceTraining,
    Practitioner,
)


class Repository:
    def __init__(self, session: AsyncSession, principal: Principal | None = None) -> None:
        self.session = session
        self.principal = principal  # None: the service itself, applying events

    def add(self, row: object) -> None:
        self.session.add(row)

    def _in_my_region(self, query: sa.Select, county: sa.ColumnElement) -> sa.Select:
        if self.principal is None or self.principal.region == CITY:
            return query
        return query.where(county == self.principal.region)


class EmployerRepository(Repository):
    async def get(self, uscc: str) -> Employer | None:
        return (await self.session.execute(sa.select(Employer).where(Employer.uscc == uscc))).scalar_one_or_none()


class PractitionerRepository(Repository):
    def _mine_or_free(self, query: sa.Select) -> sa.Select:
        """Someone who has left works in no county: any office may find and hire them (三(四)3 返聘),
        while the register of those employed stays with their employer's county."""
        if self.principal is None or self.principal.region == CITY:
            return query
        return query.where(sa.or_(Practitioner.county == self.principal.region, Practitioner.status == "left"))

    async def get(self, practitioner_id: str, *, for_update: bool = False, or_free: bool = False) -> Practitioner | None:
        """`or_free`: also someone of another county who has left (for hiring them)."""
        query = sa.select(Practitioner).where(Practitioner.id == practitioner_id)
        query = self._mine_or_free(query) if or_free else self._in_my_region(query, Practitioner.county)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_id_number(self, id_number: str) -> Practitioner | None:
        """The way an office finds the person it is hiring: those of its county, or free to hire."""
        query = self._mine_or_free(sa.select(Practitioner).where(Practitioner.id_number == id_number))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def id_number_taken(self, id_number: str) -> bool:
        """Unscoped: a person is registered once city-wide."""
        return (await self.session.execute(sa.select(Practitioner.id).where(Practitioner.id_number == id_number))).first() is not None

    async def page(self, *, employer_uscc: str | None, status: str | None, occupation: str | None, after: str | None, limit: int) -> list[Practitioner]:
        query = self._in_my_region(sa.select(Practitioner), Practitioner.county)
        if employer_uscc:
            query = query.where(Practitioner.employer_uscc == employer_uscc)
        if status:
            query = query.where(Practitioner.status == status)
        if occupation:
            query = query.where(Practitioner.occupation == occupation)
        return await keyset_page(self.session, query, Practitioner.id, after, limit)

    async def staff_of(self, uscc: str) -> list[Practitioner]:
        query = sa.select(Practitioner).where(Practitioner.employer_uscc == uscc, Practitioner.status == "employed")
        return list((await self.session.execute(query)).scalars())


class CertificateRepository(Repository):
    async def number_taken(self, kind: str, number: str) -> bool:
        query = sa.select(Certificate.id).where(Certificate.kind == kind, Certificate.number == number)
        return (await self.session.execute(query)).first() is not None

    async def of_practitioner(self, practitioner_id: str, after: str | None, limit: int) -> list[Certificate]:
        query = sa.select(Certificate).where(Certificate.practitioner_id == practitioner_id)
        return await keyset_page(self.session, query, Certificate.id, after, limit)

    async def certified(self, practitioner_ids: list[str]) -> set[tuple[str, str]]:
        """(practitioner, occupation) pairs holding any certificate for that occupation."""
        query = sa.select(Certificate.practitioner_id, Certificate.occupation).where(Certificate.practitioner_id.in_(practitioner_ids))
        return {(p, o) for p, o in (await self.session.execute(query)).all()}


class TrainingRepository(Repository):
    async def course(self, course_id: str) -> Course | None:
        return await self.session.get(Course, course_id)

    async def course_code_taken(self, code: str) -> bool:
        return (await self.session.execute(sa.select(Course.id).where(Course.code == code))).first() is not None

    async def courses(self, occupation: str | None, after: str | None, limit: int) -> list[Course]:
        """By code: the cursor is the last code seen."""
        query = sa.select(Course)
        if occupation:
            query = query.where(Course.occupation == occupation)
        return await keyset_page(self.session, query, Course.code, after, limit)

    async def course_session(self, session_id: str, *, for_update: bool = False) -> CourseSession | None:
        return await self.session.get(CourseSession, session_id, with_for_update=for_update)

    async def sessions(self, course_id: str, after: str | None, limit: int) -> list[CourseSession]:
        query = sa.select(CourseSession).where(CourseSession.course_id == course_id)
        return await keyset_page(self.session, query, CourseSession.id, after, limit)

    async def take_seat(self, session_id: str) -> bool:
        """One seat, atomically: never more enrolled than the capacity, however many ask at once."""
        result = await self.session.execute(
            sa.update(CourseSession)
            .where(CourseSession.id == session_id, CourseSession.enrolled < CourseSession.capacity)
            .values(enrolled=CourseSession.enrolled + 1)
        )
        return result.rowcount == 1

    async def enrolment(self, enrolment_id: str, *, for_update: bool = False) -> Enrolment | None:
        return await self.session.get(Enrolment, enrolment_id, with_for_update=for_update)

    async def enrolments(self, session_id: str, after: str | None, limit: int) -> list[Enrolment]:
        query = sa.select(Enrolment).where(Enrolment.session_id == session_id)
        return await keyset_page(self.session, query, Enrolment.id, after, limit)

    async def attended_on(self, enrolment_id: str, day: dt.date) -> bool:
        query = sa.select(Attendance.id).where(Attendance.enrolment_id == enrolment_id, Attendance.attended_on == day)
        return (await self.session.execute(query)).first() is not None

    async def enrolled(self, session_id: str, practitioner_id: str) -> bool:
        query = sa.select(Enrolment.id).where(Enrolment.session_id == session_id, Enrolment.practitioner_id == practitioner_id)
        return (await self.session.execute(query)).first() is not None

    async def hours_in(self, practitioner_ids: list[str], year: int) -> dict[str, int]:
        query = (
            sa.select(InServiceTraining.practitioner_id, sa.func.sum(InServiceTraining.hours))
            .where(InServiceTraining.practitioner_id.in_(practitioner_ids), InServiceTraining.year == year)
            .group_by(InServiceTraining.practitioner_id)
        )
        return {p: int(h) for p, h in (await self.session.execute(query)).all()}

    async def hours_by_year(self, practitioner_id: str, year: int | None, before: int | None, limit: int) -> list[tuple[int, int]]:
        """(year, hours) of one practitioner, the latest year first; `before` is the cursor."""
        query = sa.select(InServiceTraining.year, sa.func.sum(InServiceTraining.hours)).where(InServiceTraining.practitioner_id == practitioner_id)
        if year is not None:
            query = query.where(InServiceTraining.year == year)
        if before is not None:
            query = query.where(InServiceTraining.year < before)
        query = query.group_by(InServiceTraining.year).order_by(InServiceTraining.year.desc()).limit(limit)
        return [(y, int(h)) for y, h in (await self.session.execute(query)).all()]

    async def competition(self, competition_id: str) -> Competition | None:
        return await self.session.get(Competition, competition_id)

    async def competitions(self, year: int | None, occupation: str | None, after: str | None, limit: int) -> list[Competition]:
        query = sa.select(Competition)
        if year is not None:
            query = query.where(Competition.held_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        if occupation:
            query = query.where(Competition.occupation == occupation)
        return await keyset_page(self.session, query, Competition.id, after, limit)


class HealthCheckRepository(Repository):
    @staticmethod
    def _latest() -> sa.Subquery:
        """Each practitioner's latest check by the day it was made (an unfit one first on the same day):
        that check alone says whether they may work now, so an unfit check ends an earlier fit one."""
        order = (HealthCheck.checked_on.desc(), sa.case((HealthCheck.result == "unfit", 0), else_=1), HealthCheck.id)
        ranked = sa.select(
            HealthCheck.practitioner_id,
            HealthCheck.result,
            HealthCheck.valid_until,
            sa.func.row_number().over(partition_by=HealthCheck.practitioner_id, order_by=order).label("nth"),
        ).subquery()
        return sa.select(ranked.c.practitioner_id, ranked.c.result, ranked.c.valid_until).where(ranked.c.nth == 1).subquery()

    async def latest(self, practitioner_ids: list[str]) -> dict[str, tuple[str, dt.date]]:
        """(result, valid_until) of each practitioner's latest health check."""
        latest = self._latest()
        query = sa.select(latest).where(latest.c.practitioner_id.in_(practitioner_ids))
        return {p: (r, d) for p, r, d in (await self.session.execute(query)).all()}

    async def of_practitioner(self, practitioner_id: str, after: str | None, limit: int) -> list[HealthCheck]:
        query = sa.select(HealthCheck).where(HealthCheck.practitioner_id == practitioner_id)
        return await keyset_page(self.session, query, HealthCheck.id, after, limit)

    async def lapsed(
        self, today: dt.date, employer_uscc: str | None, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[Practitioner, dt.date | None, str | None]]:
        """Employed practitioners whose latest health check is missing, unfit or expired, counted in the
        database, by employer; `after` is the (employer, practitioner) last seen."""
        latest = self._latest()
        query = (
            sa.select(Practitioner, latest.c.valid_until, latest.c.result)
            .outerjoin(latest, latest.c.practitioner_id == Practitioner.id)
            .where(Practitioner.status == "employed", Practitioner.volunteer.is_(False))
            .where(sa.or_(latest.c.valid_until.is_(None), latest.c.result != "fit", latest.c.valid_until < today))
            .order_by(Practitioner.employer_uscc, Practitioner.id)
            .limit(limit)
        )
        query = self._in_my_region(query, Practitioner.county)
        if employer_uscc:
            query = query.where(Practitioner.employer_uscc == employer_uscc)
        if after:
            query = query.where(sa.tuple_(Practitioner.employer_uscc, Practitioner.id) > sa.tuple_(*after))
        return [(p, d, r) for p, d, r in (await self.session.execute(query)).all()]
