"""Certificates, the course catalogue, sessions, enrolment, attendance, completion, competitions."""

from __future__ import annotations

from fastapi import APIRouter

from shared.auth import CurrentPrincipal
from shared.errors import not_found
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china
from training_svc import commands
from training_svc.repository import TrainingRepository
from training_svc.schemas import (
    AttendanceCreate,
    CertificateCreate,
    CertificateRead,
    CompetitionCreate,
    CompetitionRead,
    CourseCreate,
    CourseRead,
    EnrolmentCreate,
    EnrolmentRead,
    SessionCreate,
    SessionRead,
)

router = APIRouter(tags=["training"])


@router.post("/v1/certificates", status_code=201, response_model=CertificateRead, summary="Record a qualification or skill-level certificate")
async def record_certificate(body: CertificateCreate, principal: CurrentPrincipal, session: WriteSession) -> CertificateRead:
    return await commands.record_certificate(session, principal, body, today_in_china())


@router.post("/v1/courses", status_code=201, response_model=CourseRead, summary="Add a course to the catalogue")
async def create_course(body: CourseCreate, principal: CurrentPrincipal, session: WriteSession) -> CourseRead:
    return await commands.create_course(session, principal, body)


@router.get("/v1/courses", response_model=list[CourseRead], summary="The course catalogue")
async def list_courses(session: ReadSession, principal: CurrentPrincipal, occupation: str | None = None) -> list[CourseRead]:
    return [CourseRead.model_validate(c) for c in await TrainingRepository(session).courses(occupation)]


@router.post("/v1/courses/{course_id}/sessions", status_code=201, response_model=SessionRead, summary="Schedule a session")
async def create_session(course_id: str, body: SessionCreate, principal: CurrentPrincipal, session: WriteSession) -> SessionRead:
    return await commands.create_session(session, principal, course_id, body)


@router.get("/v1/courses/{course_id}/sessions", response_model=list[SessionRead], summary="A course's sessions, with seats taken")
async def list_sessions(course_id: str, session: ReadSession, principal: CurrentPrincipal) -> list[SessionRead]:
    return [SessionRead.model_validate(s) for s in await TrainingRepository(session).sessions(course_id)]


@router.get("/v1/sessions/{session_id}", response_model=SessionRead, summary="One session")
async def get_session(session_id: str, session: ReadSession, principal: CurrentPrincipal) -> SessionRead:
    row = await TrainingRepository(session).course_session(session_id)
    if row is None:
        raise not_found("session", session_id)
    return SessionRead.model_validate(row)


@router.post("/v1/sessions/{session_id}/enrolments", status_code=201, response_model=EnrolmentRead, summary="Enrol (refused when full)")
async def enrol(session_id: str, body: EnrolmentCreate, principal: CurrentPrincipal, session: WriteSession) -> EnrolmentRead:
    return await commands.enrol(session, principal, session_id, body)


@router.post("/v1/enrolments/{enrolment_id}/attendance", response_model=EnrolmentRead, summary="Record hours attended")
async def attend(enrolment_id: str, body: AttendanceCreate, principal: CurrentPrincipal, session: WriteSession) -> EnrolmentRead:
    return await commands.attend(session, principal, enrolment_id, body)


@router.post("/v1/enrolments/{enrolment_id}/completion", response_model=EnrolmentRead, summary="Complete: hours credited, certificate issued")
async def complete(enrolment_id: str, principal: CurrentPrincipal, session: WriteSession) -> EnrolmentRead:
    return await commands.complete(session, principal, enrolment_id, today_in_china())


@router.post("/v1/competitions", status_code=201, response_model=CompetitionRead, summary="A skill competition and its results")
async def record_competition(body: CompetitionCreate, principal: CurrentPrincipal, session: WriteSession) -> CompetitionRead:
    return await commands.record_competition(session, principal, body, today_in_china())


@router.get("/v1/competitions/{competition_id}", response_model=CompetitionRead, summary="One competition")
async def get_competition(competition_id: str, session: ReadSession, principal: CurrentPrincipal) -> CompetitionRead:
    row = await TrainingRepository(session).competition(competition_id)
    if row is None:
        raise not_found("competition", competition_id)
    return CompetitionRead.model_validate(row)
