"""Tables of the workforce service (队伍): practitioners, certificates, training, health checks."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.tables import platform_tables


class Base(DeclarativeBase):
    pass


class Employer(Base):
    """An institution as the registration events describe it (the service's own read model)."""

    __tablename__ = "employer"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    county: Mapped[str] = mapped_column(sa.String(6), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))  # active | deregistered
    places_infant: Mapped[int] = mapped_column(sa.Integer)  # 乳儿班
    places_toddler: Mapped[int] = mapped_column(sa.Integer)  # 托小班
    places_older_toddler: Mapped[int] = mapped_column(sa.Integer)  # 托大班
    version: Mapped[int] = mapped_column(sa.Integer)


class Practitioner(Base):
    """Someone who cares for the city's infants (从业人员). The ID number and phone are personal data."""

    __tablename__ = "practitioner"
    __table_args__ = (sa.Index("ix_practitioner_employer_status", "employer_uscc", "status"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    id_number: Mapped[str] = mapped_column(sa.String(18), unique=True)  # 公民身份号码
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    occupation: Mapped[str] = mapped_column(sa.String(16))
    employer_uscc: Mapped[str] = mapped_column(sa.String(18))
    county: Mapped[str] = mapped_column(sa.String(6), index=True)  # the employer's
    hired_on: Mapped[dt.date] = mapped_column(sa.Date)
    left_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    rehired_retiree: Mapped[bool] = mapped_column(sa.Boolean)  # 返聘
    volunteer: Mapped[bool] = mapped_column(sa.Boolean)  # 志愿者
    status: Mapped[str] = mapped_column(sa.String(10))  # employed | left
    version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Certificate(Base):
    """职业资格 / 职业技能等级 (levels 1–5, 3 = 高级工) or 培训合格证书."""

    __tablename__ = "certificate"
    __table_args__ = (sa.UniqueConstraint("kind", "number", name="uq_certificate_kind_number"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("practitioner.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # qualification | skill_level | training
    occupation: Mapped[str] = mapped_column(sa.String(16))
    level: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    number: Mapped[str] = mapped_column(sa.String(60))
    issued_on: Mapped[dt.date] = mapped_column(sa.Date)
    enrolment_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)  # the course that issued it
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Course(Base):
    __tablename__ = "course"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    occupation: Mapped[str] = mapped_column(sa.String(16))
    hours: Mapped[int] = mapped_column(sa.Integer)
    in_service: Mapped[bool] = mapped_column(sa.Boolean)  # counts as annual in-service training
    issues_certificate: Mapped[bool] = mapped_column(sa.Boolean)  # 培训合格证书 on completion
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CourseSession(Base):
    __tablename__ = "course_session"
    __table_args__ = (sa.CheckConstraint("enrolled <= capacity", name="ck_course_session_capacity"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("course.id"), index=True)
    county: Mapped[str] = mapped_column(sa.String(6))
    location: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date] = mapped_column(sa.Date)
    capacity: Mapped[int] = mapped_column(sa.Integer)
    enrolled: Mapped[int] = mapped_column(sa.Integer)


class Enrolment(Base):
    __tablename__ = "enrolment"
    __table_args__ = (sa.UniqueConstraint("session_id", "practitioner_id", name="uq_enrolment_session_practitioner"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("course_session.id"), index=True)
    practitioner_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("practitioner.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))  # enrolled | completed
    attended_hours: Mapped[int] = mapped_column(sa.Integer)
    completed_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    certificate_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)


class Attendance(Base):
    """A day's hours at a session: one row a day, so the same day is never counted twice."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "attended_on", name="uq_attendance_enrolment_day"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    enrolment_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("enrolment.id"))
    attended_on: Mapped[dt.date] = mapped_column(sa.Date)
    hours: Mapped[int] = mapped_column(sa.Integer)
    recorded_by: Mapped[str] = mapped_column(sa.String(80))


class InServiceTraining(Base):
    """Hours of in-service training (在职培训) credited to a practitioner for a year."""

    __tablename__ = "in_service_training"
    __table_args__ = (sa.Index("ix_in_service_training_practitioner_year", "practitioner_id", "year"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("practitioner.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    hours: Mapped[int] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.String(200))
    recorded_on: Mapped[dt.date] = mapped_column(sa.Date)


class HealthCheck(Base):
    """The annual health check (每年组织一次…健康检查)."""

    __tablename__ = "health_check"
    __table_args__ = (sa.Index("ix_health_check_practitioner_valid_until", "practitioner_id", "valid_until"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("practitioner.id"))
    checked_on: Mapped[dt.date] = mapped_column(sa.Date)
    result: Mapped[str] = mapped_column(sa.String(8))  # fit | unfit
    valid_until: Mapped[dt.date] = mapped_column(sa.Date)
    examiner: Mapped[str] = mapped_column(sa.String(200))  # the hospital or clinic


class Competition(Base):
    """A skill competition (职业技能大赛) and its results."""

    __tablename__ = "competition"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    occupation: Mapped[str] = mapped_column(sa.String(16))
    held_on: Mapped[dt.date] = mapped_column(sa.Date)
    results: Mapped[list[dict]] = mapped_column(sa.JSON)  # [{"practitioner_id", "rank", "award"}]
    created_by: Mapped[str] = mapped_column(sa.String(80))


platform = platform_tables(Base.metadata)
