"""Certificates, the course catalogue, sessions, enrolment, attendance, completion, competitions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import CurrentPrincipal
from shared.errors import not_found
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china
from training_svc import commands
from training_svc.api import Limit
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
    Page,
    SessionCreate,
    SessionRead,
)

router = APIRouter(tags=["training"])


@router.post("/v1/certificates", status_code=201, response_model=CertificateRead, summary="Record a qualification, skill-level or training certificate")
async def record_certificate(body: CertificateCreate, principal: CurrentPrincipal, session: WriteSession) -> CertificateRead:
    return await commands.record_certificate(session, principal, body, today_in_china())


@router.post("/v1/courses", status_code=201, response_model=CourseRead, summary="Add a course to the catalogue")
async def create_course(body: CourseCreate, principal: CurrentPrincipal, session: WriteSession) -> CourseRead:
    return await commands.create_course(session, principal, body)


@router.get("/v1/courses", response_model=Page[CourseRead], summary="The course catalogue, by code (`after` = the last code seen)")
async def list_courses(session: ReadSession, principal: CurrentPrincipal, occupation: str | None = None, after: str | None = None, limit: Limit = 100) -> Page[CourseRead]:
    rows = await TrainingRepository(session).courses(occupation, after, limit)
    return Page(items=[CourseRead.model_validate(c) for c in rows], next=rows[-1].code if len(rows) == limit else None)


@router.post("/v1/courses/{course_id}/sessions", status_code=201, response_model=SessionRead, summary="Schedule a session")
async def create_session(course_id: str, body: SessionCreate, principal: CurrentPrincipal, session: WriteSession) -> SessionRead:
    return await commands.create_session(session, principal, course_id, body)


@router.get("/v1/courses/{course_id}/sessions", response_model=Page[SessionRead], summary="A course's sessions, with seats taken")
async def list_sessions(course_id: str, session: ReadSession, principal: CurrentPrincipal, after: str | None = None, limit: Limit = 100) -> Page[SessionRead]:
    rows = await TrainingRepository(session).sessions(course_id, after, limit)
    return Page(items=[SessionRead.model_validate(s) for s in rows], next=rows[-1].id if len(rows) == limit else None)


@router.get("/v1/sessions/{session_id}", response_model=SessionRead, summary="One session")
async def get_session(session_id: str, session: ReadSession, principal: CurrentPrincipal) -> SessionRead:
    row = await TrainingRepository(session).course_session(session_id)
    if row is None:
        raise not_found("session", session_id)
    return SessionRead.model_validate(row)


@router.post("/v1/sessions/{session_id}/enrolments", status_code=201, response_model=EnrolmentRead, summary="Enrol (refused when full)")
async def enrol(session_id: str, body: EnrolmentCreate, principal: CurrentPrincipal, session: WriteSession) -> EnrolmentRead:
    return await commands.enrol(session, principal, session_id, body)


@router.get("/v1/sessions/{session_id}/enrolments", response_model=Page[EnrolmentRead], summary="A session's enrolments")
async def list_enrolments(session_id: str, session: ReadSession, principal: CurrentPrincipal, after: str | None = None, limit: Limit = 100) -> Page[EnrolmentRead]:
    repo = TrainingRepository(session)
    if await repo.course_session(session_id) is None:
        raise not_found("session", session_id)
    rows = await repo.enrolments(session_id, after, limit)
    return Page(items=[EnrolmentRead.model_validate(e) for e in rows], next=rows[-1].id if len(rows) == limit else None)


@router.get("/v1/enrolments/{enrolment_id}", response_model=EnrolmentRead, summary="One enrolment, with the hours attended")
async def get_enrolment(enrolment_id: str, session: ReadSession, principal: CurrentPrincipal) -> EnrolmentRead:
    row = await TrainingRepository(session).enrolment(enrolment_id)
    if row is None:
        raise not_found("enrolment", enrolment_id)
    return EnrolmentRead.model_validate(row)


@router.post("/v1/enrolments/{enrolment_id}/attendance", response_model=EnrolmentRead, summary="Record a day's hours attended (once a day, up to the course's hours)")
async def attend(enrolment_id: str, body: AttendanceCreate, principal: CurrentPrincipal, session: WriteSession) -> EnrolmentRead:
    return await commands.attend(session, principal, enrolment_id, body)


@router.post("/v1/enrolments/{enrolment_id}/completion", response_model=EnrolmentRead, summary="Complete: hours credited, certificate issued")
async def complete(enrolment_id: str, principal: CurrentPrincipal, session: WriteSession) -> EnrolmentRead:
    return await commands.complete(session, principal, enrolment_id, today_in_china())


@router.post("/v1/competitions", status_code=201, response_model=CompetitionRead, summary="A skill competition and its results")
async def record_competition(body: CompetitionCreate, principal: CurrentPrincipal, session: WriteSession) -> CompetitionRead:
    return await commands.record_competition(session, principal, body, today_in_china())


@router.get("/v1/competitions", response_model=Page[CompetitionRead], summary="Skill competitions by year and occupation")
async def list_competitions(
    session: ReadSession,
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    occupation: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> Page[CompetitionRead]:
    rows = await TrainingRepository(session).competitions(year, occupation, after, limit)
    return Page(items=[CompetitionRead.model_validate(c) for c in rows], next=rows[-1].id if len(rows) == limit else None)


@router.get("/v1/competitions/{competition_id}", response_model=CompetitionRead, summary="One competition")
async def get_competition(competition_id: str, session: ReadSession, principal: CurrentPrincipal) -> CompetitionRead:
    row = await TrainingRepository(session).competition(competition_id)
    if row is None:
        raise not_found("competition", competition_id)
    return CompetitionRead.model_validate(row)
