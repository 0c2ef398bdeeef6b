"""The writes of the workforce service. Each checks who acts and the rules of `domain`, then writes
the rows, the audit record and the event in the caller's transaction. Events and logs carry the
resident ID masked and the phone not at all."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_problem, forbidden, not_found
from shared.events.catalogue import new_event, spec_of
from shared.outbox import record
from shared.validators import mask_phone, mask_resident_id
from training_svc.domain.compliance import StaffMember, staffing_compliance
from training_svc.domain.workforce import (
    certificate_problems,
    health_check_holds,
    health_check_valid_until,
    practitioner_problems,
    working_age_problem,
)
from training_svc.models import (
    Attendance,
    Certificate,
    Competition,
    Course,
    CourseSession,
    Enrolment,
    HealthCheck,
    InServiceTraining,
    Practitioner,
    platform,
)
from training_svc.repository import (
    CertificateRepository,
    EmployerRepository,
    HealthCheckRepository,
    PractitionerRepository,
    TrainingRepository,
)
from training_svc.schemas import (
    AttendanceCreate,
    CertificateCreate,
    CertificateRead,
    CompetitionCreate,
    CompetitionRead,
    ComplianceRead,
    CourseCreate,
    CourseRead,
    DepartureCreate,
    EnrolmentCreate,
    EnrolmentRead,
    HealthCheckCreate,
    HealthCheckRead,
    HireCreate,
    InServiceCreate,
    InServiceRecordRead,
    PersonalData,
    PractitionerCreate,
    PractitionerRead,
    PractitionerUpdate,
    SessionCreate,
    SessionRead,
)

log = structlog.get_logger("tuoyu.training")

SOURCE = "training-svc"
REGISTER_KEEPERS = ("weijian", "renshe")  # keep the practitioner register; see personal data in full
TRAINING = "renshe"  # certificates, courses and competitions (人力资源社会保障)
HEALTH = "weijian"  # health checks


def _require(principal: Principal, departments: tuple[str, ...], what: str) -> None:
    if principal.department not in departments and not principal.has_role("admin"):
        raise forbidden(f"{what} is for {', '.join(departments)}")


def _refuse(problems: list[Any]) -> Problem:
    return Problem(
        422,
        "workforce-rule",
        "The record breaks a rule",
        "; ".join(p.message for p in problems),
        errors=[{"field": p.field, "rule": p.rule, "message": p.message} for p in problems],
    )


async def _announce(session: AsyncSession, event_type: str, subject: str, region: str, values: dict[str, Any]) -> None:
    schema = spec_of(event_type).data
    data = schema.model_validate({k: v for k, v in values.items() if k in schema.model_fields})
    await record(session, platform, new_event(event_type, source=SOURCE, subject=subject, region=region, data=data))


# -- practitioners ----------------------------------------------------------------------------


def practitioner_read(row: Practitioner) -> PractitionerRead:
    return PractitionerRead(
        id=row.id,
        id_number_masked=mask_resident_id(row.id_number),
        name=row.name,
        phone_masked=mask_phone(row.phone) if row.phone else None,
        occupation=row.occupation,
        employer_uscc=row.employer_uscc,
        hired_on=row.hired_on,
        left_on=row.left_on,
        rehired_retiree=row.rehired_retiree,
        volunteer=row.volunteer,
        status=row.status,
    )


async def _announce_practitioner(session: AsyncSession, row: Practitioner, verb: str) -> None:
    values = {**practitioner_read(row).model_dump(), "practitioner_id": row.id, "version": row.version}
    await _announce(session, f"tuoyu.training.practitioner.{verb}.v1", row.id, row.county, values)


async def _employer(session: AsyncSession, principal: Principal, uscc: str) -> Any:
    """A registered, not deregistered institution, as the registration events told this service."""
    employer = await EmployerRepository(session).get(uscc)
    if employer is None:
        raise field_problem("employer_uscc", "registered_employer", f"{uscc} is not a registered institution")
    if employer.status != "active":
        raise field_problem("employer_uscc", "active_employer", f"{uscc} is {employer.status}")
    if not principal.covers(employer.county):
        raise forbidden(f"your office ({principal.region}) does not keep the register of {employer.county}")
    return employer


async def register_practitioner(session: AsyncSession, principal: Principal, body: PractitionerCreate, today: dt.date) -> PractitionerRead:
    _require(principal, REGISTER_KEEPERS, "the practitioner register")
    if problems := practitioner_problems(body.id_number, body.hired_on, today):
        # for whoever answers the clerk's call about it; shared.logging masks the number in every line
        log.info("practitioner refused", id_number=body.id_number, rules=[p.rule for p in problems], actor=principal.sub)
        raise _refuse(problems)
    employer = await _employer(session, principal, body.employer_uscc)
    repo = PractitionerRepository(session, principal)
    if await repo.id_number_taken(body.id_number):
        raise Problem(409, "duplicate-practitioner", "Already registered", "this person is in the register already: hire them instead")
    now = utcnow()
    row = Practitioner(
        id=str(uuid.uuid4()),
        **body.model_dump(),
        county=employer.county,
        left_on=None,
        status="employed",
        version=1,
        created_at=now,
        updated_at=now,
    )
    repo.add(row)
    await audit(session, platform, principal, "register", "practitioner", row.id, {"employer": row.employer_uscc})
    await _announce_practitioner(session, row, "hired")
    return practitioner_read(row)


async def _practitioner(session: AsyncSession, principal: Principal, practitioner_id: str, *, or_free: bool = False) -> Practitioner:
    row = await PractitionerRepository(session, principal).get(practitioner_id, for_update=True, or_free=or_free)
    if row is None:
        raise not_found("practitioner", practitioner_id)
    return row


async def hire(session: AsyncSession, principal: Principal, practitioner_id: str, body: HireCreate, today: dt.date) -> PractitionerRead:
    """Someone who has left may be hired by an institution of any county; the office of the new
    employer's county records it (属地管理), and the person moves to that county's register."""
    _require(principal, REGISTER_KEEPERS, "the practitioner register")
    row = await _practitioner(session, principal, practitioner_id, or_free=True)
    if row.status == "employed":
        raise Problem(409, "still-employed", "Still employed", f"the practitioner works for {row.employer_uscc}: record the departure first")
    if body.hired_on > today or (row.left_on and body.hired_on < row.left_on):
        raise field_problem("hired_on", "after_leaving", "hired_on is between the last departure and today")
    if too_young := working_age_problem(row.id_number, body.hired_on):
        raise _refuse([too_young])
    employer = await _employer(session, principal, body.employer_uscc)
    flags = ("employer_uscc", "rehired_retiree", "volunteer")
    before = {"status": row.status, **{name: getattr(row, name) for name in flags}}
    row.employer_uscc, row.county, row.hired_on, row.left_on = employer.uscc, employer.county, body.hired_on, None
    row.occupation = body.occupation or row.occupation
    row.rehired_retiree, row.volunteer = body.rehired_retiree, body.volunteer
    row.status, row.version, row.updated_at = "employed", row.version + 1, utcnow()
    after = {"status": "employed", **{name: getattr(row, name) for name in flags}}
    await audit(session, platform, principal, "hire", "practitioner", row.id, before=before, after=after)
    await _announce_practitioner(session, row, "hired")
    return practitioner_read(row)


def _shown(name: str, value: Any) -> Any:
    """What the audit log keeps of a changed value: the phone masked, as everywhere but personal-data."""
    return mask_phone(value) if name == "phone" and value else value


async def amend(session: AsyncSession, principal: Principal, practitioner_id: str, body: PractitionerUpdate) -> PractitionerRead:
    """Corrections of name, phone and the 返聘 / volunteer flags; a phone sent as null is removed."""
    _require(principal, REGISTER_KEEPERS, "the practitioner register")
    changes = body.model_dump(exclude_unset=True)
    for name in ("name", "rehired_retiree", "volunteer"):
        if name in changes and changes[name] is None:
            raise field_problem(name, "not_null", f"{name} cannot be removed, only changed")
    row = await _practitioner(session, principal, practitioner_id)
    changed = {name: value for name, value in changes.items() if getattr(row, name) != value}
    if not changed:
        return practitioner_read(row)
    before = {name: _shown(name, getattr(row, name)) for name in changed}
    for name, value in changed.items():
        setattr(row, name, value)
    row.version, row.updated_at = row.version + 1, utcnow()
    after = {name: _shown(name, value) for name, value in changed.items()}
    await audit(session, platform, principal, "amend", "practitioner", row.id, before=before, after=after)
    await _announce_practitioner(session, row, "amended")
    return practitioner_read(row)


async def lookup(session: AsyncSession, principal: Principal, id_number: str) -> PractitionerRead:
    """Finding someone by ID number confirms that number is on the register: audited as a full view is."""
    _require(principal, REGISTER_KEEPERS, "the practitioner register")
    row = await PractitionerRepository(session, principal).by_id_number(id_number)
    if row is None:
        raise not_found("practitioner", "with that ID number")
    await audit(session, platform, principal, "lookup", "practitioner", row.id)
    return practitioner_read(row)


async def depart(session: AsyncSession, principal: Principal, practitioner_id: str, body: DepartureCreate, today: dt.date) -> PractitionerRead:
    _require(principal, REGISTER_KEEPERS, "the practitioner register")
    row = await _practitioner(session, principal, practitioner_id)
    if row.status != "employed":
        raise Problem(409, "not-employed", "Not employed", "the practitioner has left already")
    if not row.hired_on <= body.left_on <= today:
        raise field_problem("left_on", "between_hiring_and_today", "left_on is between the hiring and today")
    row.left_on, row.status, row.version, row.updated_at = body.left_on, "left", row.version + 1, utcnow()
    await audit(
        session, platform, principal, "depart", "practitioner", row.id, {"reason": body.reason}, before={"status": "employed"}, after={"status": "left"}
    )
    await _announce_practitioner(session, row, "departed")
    return practitioner_read(row)


async def personal_data(session: AsyncSession, principal: Principal, practitioner_id: str) -> PersonalData:
    """The full ID number and phone, to the register keepers only, and every view audited."""
    _require(principal, REGISTER_KEEPERS, "personal data")
    row = await PractitionerRepository(session, principal).get(practitioner_id)
    if row is None:
        raise not_found("practitioner", practitioner_id)
    await audit(session, platform, principal, "view_personal_data", "practitioner", row.id)
    return PersonalData(id=row.id, id_number=row.id_number, phone=row.phone)


# -- certificates -----------------------------------------------------------------------------


async def _issue(session: AsyncSession, principal: Principal, practitioner: Practitioner, certificate: Certificate) -> CertificateRead:
    if await CertificateRepository(session).number_taken(certificate.kind, certificate.number):
        raise Problem(409, "duplicate-certificate", "Certificate already recorded", f"{certificate.kind} certificate {certificate.number} exists")
    CertificateRepository(session).add(certificate)
    await session.flush()
    await audit(session, platform, principal, "issue", "certificate", certificate.id, {"practitioner": practitioner.id})
    read = CertificateRead.model_validate(certificate)
    values = {**read.model_dump(), "certificate_id": certificate.id, "employer_uscc": practitioner.employer_uscc}
    await _announce(session, "tuoyu.training.certificate.issued.v1", practitioner.id, practitioner.county, values)
    return read


async def record_certificate(session: AsyncSession, principal: Principal, body: CertificateCreate, today: dt.date) -> CertificateRead:
    _require(principal, (TRAINING,), "recording certificates")
    if problems := certificate_problems(body.kind, body.level, body.issued_on, today):
        raise _refuse(problems)
    practitioner = await _practitioner(session, principal, body.practitioner_id)
    certificate = Certificate(id=str(uuid.uuid4()), **body.model_dump(), created_by=principal.sub, created_at=utcnow())
    return await _issue(session, principal, practitioner, certificate)


# -- courses, sessions, enrolment, completion -------------------------------------------------


async def create_course(session: AsyncSession, principal: Principal, body: CourseCreate) -> CourseRead:
    _require(principal, (TRAINING,), "the course catalogue")
    repo = TrainingRepository(session)
    if await repo.course_code_taken(body.code):
        raise Problem(409, "duplicate-course", "Course code taken", f"{body.code} exists")
    course = Course(id=str(uuid.uuid4()), **body.model_dump(), created_at=utcnow())
    repo.add(course)
    await audit(session, platform, principal, "create", "course", course.id)
    return CourseRead.model_validate(course)


async def create_session(session: AsyncSession, principal: Principal, course_id: str, body: SessionCreate) -> SessionRead:
    _require(principal, (TRAINING,), "scheduling sessions")
    if not principal.covers(body.county):
        raise forbidden(f"your office ({principal.region}) does not run sessions in {body.county}")
    if body.ends_on < body.starts_on:
        raise field_problem("ends_on", "after_start", "ends_on is before starts_on")
    repo = TrainingRepository(session)
    if await repo.course(course_id) is None:
        raise not_found("course", course_id)
    row = CourseSession(id=str(uuid.uuid4()), course_id=course_id, **body.model_dump(), enrolled=0)
    repo.add(row)
    await audit(session, platform, principal, "schedule", "course_session", row.id)
    return SessionRead.model_validate(row)


async def enrol(session: AsyncSession, principal: Principal, session_id: str, body: EnrolmentCreate) -> EnrolmentRead:
    _require(principal, (TRAINING,), "enrolment")
    repo = TrainingRepository(session)
    course_session = await repo.course_session(session_id)
    if course_session is None:
        raise not_found("session", session_id)
    practitioner = await _practitioner(session, principal, body.practitioner_id)
    if await repo.enrolled(session_id, practitioner.id):
        raise Problem(409, "already-enrolled", "Already enrolled", "the practitioner is enrolled in this session")
    if practitioner.status != "employed":  # in-service training (三(四)2) is for those working in an institution
        raise Problem(409, "not-employed", "Not employed", "the practitioner has left: hire them again before enrolling")
    if not await repo.take_seat(session_id):
        raise Problem(409, "session-full", "The session is full", f"all {course_session.capacity} places are taken")
    row = Enrolment(id=str(uuid.uuid4()), session_id=session_id, practitioner_id=practitioner.id, status="enrolled", attended_hours=0)
    repo.add(row)
    await audit(session, platform, principal, "enrol", "enrolment", row.id, {"session": session_id})
    return EnrolmentRead.model_validate(row)


async def _enrolment(session: AsyncSession, enrolment_id: str) -> tuple[Enrolment, CourseSession, Course]:
    repo = TrainingRepository(session)
    enrolment = await repo.enrolment(enrolment_id, for_update=True)
    if enrolment is None:
        raise not_found("enrolment", enrolment_id)
    course_session = await repo.course_session(enrolment.session_id)
    course = await repo.course(course_session.course_id) if course_session else None
    assert course_session is not None and course is not None
    return enrolment, course_session, course


async def attend(session: AsyncSession, principal: Principal, enrolment_id: str, body: AttendanceCreate) -> EnrolmentRead:
    """One record a day. The total stops at the course's hours: the catalogue knows a course's length,
    not a session's hours a day, and hours beyond the course are neither completed nor credited."""
    _require(principal, (TRAINING,), "attendance")
    enrolment, course_session, course = await _enrolment(session, enrolment_id)
    if enrolment.status != "enrolled":
        raise Problem(409, "completed", "Already completed", "attendance is recorded while enrolled")
    if not course_session.starts_on <= body.on <= course_session.ends_on:
        raise field_problem("on", "within_session", "attendance is within the session's dates")
    repo = TrainingRepository(session)
    if await repo.attended_on(enrolment.id, body.on):
        raise Problem(409, "attendance-recorded", "Attendance already recorded", f"the hours of {body.on} are recorded already")
    if enrolment.attended_hours + body.hours > course.hours:
        left = course.hours - enrolment.attended_hours
        raise field_problem("hours", "within_course_hours", f"{left} of the course's {course.hours} hours are left to attend")
    repo.add(Attendance(id=str(uuid.uuid4()), enrolment_id=enrolment.id, attended_on=body.on, hours=body.hours, recorded_by=principal.sub))
    enrolment.attended_hours += body.hours
    await audit(session, platform, principal, "attend", "enrolment", enrolment.id, {"on": body.on.isoformat(), "hours": body.hours})
    return EnrolmentRead.model_validate(enrolment)


async def complete(session: AsyncSession, principal: Principal, enrolment_id: str, today: dt.date) -> EnrolmentRead:
    """Completion credits the in-service hours and issues the training certificate (培训合格证书)."""
    _require(principal, (TRAINING,), "completion")
    enrolment, course_session, course = await _enrolment(session, enrolment_id)
    if enrolment.status != "enrolled":
        raise Problem(409, "completed", "Already completed", "the enrolment is completed already")
    if enrolment.attended_hours < course.hours:
        raise field_problem("attended_hours", "course_hours", f"attended {enrolment.attended_hours} of the course's {course.hours} hours")
    practitioner = await _practitioner(session, principal, enrolment.practitioner_id)
    enrolment.status, enrolment.completed_on = "completed", today
    repo = TrainingRepository(session)
    if course.in_service:  # the year the training was done, however late its completion is recorded
        source = f"{course.code} {course.title}"
        year = course_session.ends_on.year
        repo.add(InServiceTraining(id=str(uuid.uuid4()), practitioner_id=practitioner.id, year=year, hours=course.hours, source=source, recorded_on=today))
    if course.issues_certificate:
        certificate = Certificate(
            id=str(uuid.uuid4()),
            practitioner_id=practitioner.id,
            kind="training",
            occupation=course.occupation,
            level=None,
            number=f"{course.code}-{course_session.id[:8]}-{enrolment.id[:8]}",
            issued_on=today,
            enrolment_id=enrolment.id,
            created_by=principal.sub,
            created_at=utcnow(),
        )
        enrolment.certificate_id = (await _issue(session, principal, practitioner, certificate)).id
    await audit(session, platform, principal, "complete", "enrolment", enrolment.id)
    return EnrolmentRead.model_validate(enrolment)


async def record_competition(session: AsyncSession, principal: Principal, body: CompetitionCreate, today: dt.date) -> CompetitionRead:
    _require(principal, (TRAINING,), "skill competitions")
    if body.held_on > today:
        raise field_problem("held_on", "not_in_future", "record a competition once it is held")
    practitioners, seen = PractitionerRepository(session, principal), set()
    for index, result in enumerate(body.results):
        if result.practitioner_id in seen:
            raise field_problem(f"results.{index}.practitioner_id", "once_per_competition", f"{result.practitioner_id} has a result already")
        seen.add(result.practitioner_id)
        if await practitioners.get(result.practitioner_id) is None:
            raise field_problem(f"results.{index}.practitioner_id", "known_practitioner", f"no practitioner {result.practitioner_id}")
    row = Competition(id=str(uuid.uuid4()), **body.model_dump(), created_by=principal.sub)
    TrainingRepository(session).add(row)
    await audit(session, platform, principal, "record", "competition", row.id)
    return CompetitionRead.model_validate(row)


async def record_in_service(session: AsyncSession, principal: Principal, practitioner_id: str, body: InServiceCreate, today: dt.date) -> InServiceRecordRead:
    """Hours trained outside the catalogue (三(四)2 充分利用各种教育资源), e.g. the health bureau's yearly
    卫生保健培训 (三(三)3): recorded by the register keepers, audited."""
    _require(principal, REGISTER_KEEPERS, "in-service training")
    if body.year > today.year:
        raise field_problem("year", "not_in_future", "hours are recorded once trained")
    practitioner = await _practitioner(session, principal, practitioner_id)
    row = InServiceTraining(id=str(uuid.uuid4()), practitioner_id=practitioner.id, **body.model_dump(), recorded_on=today)
    TrainingRepository(session).add(row)
    await audit(session, platform, principal, "in_service", "practitioner", practitioner.id, {"year": body.year, "hours": body.hours, "source": body.source})
    return InServiceRecordRead.model_validate(row)


# -- health checks ----------------------------------------------------------------------------


async def record_health_check(session: AsyncSession, principal: Principal, body: HealthCheckCreate, today: dt.date) -> HealthCheckRead:
    _require(principal, (HEALTH,), "health checks")
    if body.checked_on > today:
        raise field_problem("checked_on", "not_in_future", "checked_on is in the future")
    practitioner = await _practitioner(session, principal, body.practitioner_id)
    row = HealthCheck(id=str(uuid.uuid4()), **body.model_dump(), valid_until=health_check_valid_until(body.checked_on))
    HealthCheckRepository(session).add(row)
    await audit(session, platform, principal, "health_check", "practitioner", practitioner.id, {"result": body.result})
    read = HealthCheckRead.model_validate(row)
    values = {**read.model_dump(), "health_check_id": row.id, "employer_uscc": practitioner.employer_uscc}
    await _announce(session, "tuoyu.training.health_check.recorded.v1", practitioner.id, practitioner.county, values)
    return read


# -- compliance -------------------------------------------------------------------------------


async def compliance(session: AsyncSession, principal: Principal, uscc: str, today: dt.date, hours_required: int) -> ComplianceRead:
    employer = await EmployerRepository(session).get(uscc)
    if employer is None:
        raise not_found("institution", uscc)
    if not principal.covers(employer.county):
        raise forbidden(f"your office ({principal.region}) does not see {employer.county}")
    staff = await PractitionerRepository(session).staff_of(uscc)
    ids = [p.id for p in staff]
    certified = await CertificateRepository(session).certified(ids)
    latest_checks = await HealthCheckRepository(session).latest(ids)
    hours = await TrainingRepository(session).hours_in(ids, today.year)
    places = {"infant": employer.places_infant, "toddler": employer.places_toddler, "older_toddler": employer.places_older_toddler}
    result = staffing_compliance(
        places,
        [
            StaffMember(
                occupation=p.occupation,
                volunteer=p.volunteer,
                certified=(p.id, p.occupation) in certified,
                health_check_valid=health_check_holds(latest_checks.get(p.id), today),
                in_service_hours=hours.get(p.id, 0),
            )
            for p in staff
        ],
        hours_required,
    )
    return ComplianceRead(
        uscc=uscc,
        name=employer.name,
        places=places,
        required_by_class=result.required_by_class,
        required_carers=result.required_carers,
        carers=result.carers,
        certified_carers=result.certified_carers,
        staff=result.staff,
        health_checks_valid=result.health_checks_valid,
        in_service_year=today.year,
        in_service_hours_required=hours_required,
        in_service_done=result.in_service_done,
        compliant=result.compliant,
        gaps=result.gaps,
    )
