"""Every query of the workforce service, scoped to the caller's region inside (属地管理)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.regions import CITY
from training_svc.models import (
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
    async def get(self, practitioner_id: str, *, for_update: bool = False) -> Practitioner | None:
        query = self._in_my_region(sa.select(Practitioner).where(Practitioner.id == practitioner_id), Practitioner.county)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_id_number(self, id_number: str) -> Practitioner | None:
        query = self._in_my_region(sa.select(Practitioner).where(Practitioner.id_number == id_number), Practitioner.county)
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
        if after:
            query = query.where(Practitioner.id > after)
        return list((await self.session.execute(query.order_by(Practitioner.id).limit(limit))).scalars())

    async def staff_of(self, uscc: str) -> list[Practitioner]:
        query = sa.select(Practitioner).where(Practitioner.employer_uscc == uscc, Practitioner.status == "employed")
        return list((await self.session.execute(query)).scalars())


class CertificateRepository(Repository):
    async def number_taken(self, kind: str, number: str) -> bool:
        query = sa.select(Certificate.id).where(Certificate.kind == kind, Certificate.number == number)
        return (await self.session.execute(query)).first() is not None

    async def of_practitioner(self, practitioner_id: str) -> list[Certificate]:
        query = sa.select(Certificate).where(Certificate.practitioner_id == practitioner_id).order_by(Certificate.issued_on)
        return list((await self.session.execute(query)).scalars())

    async def certified(self, practitioner_ids: list[str]) -> set[tuple[str, str]]:
        """(practitioner, occupation) pairs holding any certificate for that occupation."""
        query = sa.select(Certificate.practitioner_id, Certificate.occupation).where(Certificate.practitioner_id.in_(practitioner_ids))
        return {(p, o) for p, o in (await self.session.execute(query)).all()}


class TrainingRepository(Repository):
    async def course(self, course_id: str) -> Course | None:
        return await self.session.get(Course, course_id)

    async def course_code_taken(self, code: str) -> bool:
        return (await self.session.execute(sa.select(Course.id).where(Course.code == code))).first() is not None

    async def courses(self, occupation: str | None) -> list[Course]:
        query = sa.select(Course).order_by(Course.code)
        if occupation:
            query = query.where(Course.occupation == occupation)
        return list((await self.session.execute(query)).scalars())

    async def course_session(self, session_id: str, *, for_update: bool = False) -> CourseSession | None:
        return await self.session.get(CourseSession, session_id, with_for_update=for_update)

    async def sessions(self, course_id: str) -> list[CourseSession]:
        query = sa.select(CourseSession).where(CourseSession.course_id == course_id).order_by(CourseSession.starts_on)
        return list((await self.session.execute(query)).scalars())

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

    async def competition(self, competition_id: str) -> Competition | None:
        return await self.session.get(Competition, competition_id)


class HealthCheckRepository(Repository):
    async def valid_until(self, practitioner_ids: list[str]) -> dict[str, dt.date]:
        """The latest date each practitioner's fit health checks hold until."""
        query = (
            sa.select(HealthCheck.practitioner_id, sa.func.max(HealthCheck.valid_until))
            .where(HealthCheck.practitioner_id.in_(practitioner_ids), HealthCheck.result == "fit")
            .group_by(HealthCheck.practitioner_id)
        )
        return {p: d for p, d in (await self.session.execute(query)).all()}

    async def lapsed(self, today: dt.date, employer_uscc: str | None, limit: int) -> list[tuple[Practitioner, dt.date | None]]:
        """Employed practitioners without a fit health check valid today, counted in the database."""
        latest = (
            sa.select(HealthCheck.practitioner_id, sa.func.max(HealthCheck.valid_until).label("valid_until"))
            .where(HealthCheck.result == "fit")
            .group_by(HealthCheck.practitioner_id)
            .subquery()
        )
        query = (
            sa.select(Practitioner, latest.c.valid_until)
            .outerjoin(latest, latest.c.practitioner_id == Practitioner.id)
            .where(Practitioner.status == "employed", Practitioner.volunteer.is_(False))
            .where(sa.or_(latest.c.valid_until.is_(None), latest.c.valid_until < today))
            .order_by(Practitioner.employer_uscc, Practitioner.id)
            .limit(limit)
        )
        query = self._in_my_region(query, Practitioner.county)
        if employer_uscc:
            query = query.where(Practitioner.employer_uscc == employer_uscc)
        return [(p, d) for p, d in (await self.session.execute(query)).all()]
