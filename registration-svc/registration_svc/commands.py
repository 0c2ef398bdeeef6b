"""The writes of the registration service. Each checks who acts and the rules of `domain`, then
writes the row, its audit record and its event in the caller's transaction, so a change and its
announcement stand or fall together."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registration_svc.domain.kindergarten import EDUCATION, ledger_violations
from registration_svc.domain.registration import (
    RegistrationFacts,
    Violation,
    acting_for_violations,
    as_problem_errors,
    changed_fields,
    ending_violations,
    registration_violations,
    uscc_held_violation,
)
from registration_svc.events import snapshot_event
from registration_svc.models import KindergartenClass, Registration, UsccInUse, platform
from registration_svc.repository import KindergartenRepository, RegistrationRepository, held
from registration_svc.schemas import (
    EndingCreate,
    KindergartenClassCreate,
    KindergartenClassRead,
    KindergartenClassUpdate,
    RegistrationCreate,
    RegistrationRead,
    RegistrationUpdate,
)
from shared.audit import audit
from shared.auth import Principal
from shared.db import inserts_together, unique_refused, utcnow
from shared.errors import Problem, not_found
from shared.outbox import record

T = TypeVar("T")


def refuse(violations: list[Violation]) -> Problem:
    """One problem for all the violations; who acts (403) outranks state (409) and rules (422)."""
    statuses = {v.status for v in violations}
    status = 403 if 403 in statuses else 409 if 409 in statuses else 422
    slug = {403: "forbidden", 409: "conflict", 422: "registration-rule"}[status]
    return Problem(status, slug, "The change breaks a rule", "; ".join(v.message for v in violations), errors=as_problem_errors(violations))


async def _changed(
    session: AsyncSession,
    principal: Principal,
    row: Registration | KindergartenClass,
    read: Callable[[Any], T],
    *,
    action: str,
    entity: str,
    event_type: str,
    traceparent: str | None,
    before: dict[str, Any],
    **extra: Any,
) -> T:
    """A change made to `row`: its next version, the audit record (with the fields before and
    after) and the event."""
    row.version += 1
    row.updated_at, row.updated_by = utcnow(), principal.sub
    after = read(row)
    now = after.model_dump(mode="json")  # type: ignore[attr-defined]
    changed_after = {k: now[k] for k in before}
    async with inserts_together(session):
        await audit(session, platform, principal, action, entity, row.uscc, extra or None, before=before, after=changed_after)
        await record(session, platform, snapshot_event(event_type, after, row.county, traceparent, **extra))  # type: ignore[arg-type]
    return after


# -- registrations (登记) ---------------------------------------------------------------------


def registration_read(row: Registration | SimpleNamespace) -> RegistrationRead:
    """The registration as answered and announced, from its row (or a new row's values)."""
    return RegistrationRead.model_validate(
        {
            **{c: getattr(row, c) for c in RegistrationRead.model_fields if c != "places"},
            "places": {"infant": row.places_infant, "toddler": row.places_toddler, "older_toddler": row.places_older_toddler},
        }
    )


def _registration_columns(values: dict[str, Any]) -> dict[str, Any]:
    places = values.pop("places", None)
    if places is not None:
        values.update(places_infant=places["infant"], places_toddler=places["toddler"], places_older_toddler=places["older_toddler"])
    return values


def new_registration_violations(principal: Principal, body: RegistrationCreate, today: dt.date) -> list[Violation]:
    return acting_for_violations(principal.department, principal.region, body.registrar, body.registrar_region) + registration_violations(
        RegistrationFacts.of(body), today
    )


async def add_registration(
    session: AsyncSession, principal: Principal, body: RegistrationCreate, traceparent: str | None, *, ends_transaction: bool = False
) -> RegistrationRead:
    """Write an already-checked registration with its audit record and event; 409 (and nothing
    written) when its USCC is registered already. With `ends_transaction`, nothing else is written
    in the caller's transaction, before or after (`inserts_together`)."""
    now = utcnow()
    values = {
        "id": str(uuid.uuid4()),
        **_registration_columns(body.model_dump()),
        "status": "active",
        "deregistered_on": None,
        "deregistration_reason": None,
        "version": 1,
        "created_at": now,
        "created_by": principal.sub,
        "updated_at": now,
        "updated_by": principal.sub,
    }
    row = SimpleNamespace(**values)  # what registration_read reads of a row
    created = registration_read(row)
    try:
        async with inserts_together(session, ends_transaction=ends_transaction):
            await RegistrationRepository(session, principal).insert(values)
            await audit(session, platform, principal, "register", "registration", row.uscc)
            await record(session, platform, snapshot_event("tuoyu.registration.institution.registered.v1", created, row.county, traceparent))
    except IntegrityError as error:
        if unique_refused(error, Registration.__table__.c.uscc):
            raise duplicate_registration(body.uscc) from None
        if unique_refused(error, UsccInUse.__table__.c.uscc):
            raise await _held_by(session, body.uscc, error) from None
        raise
    return created


async def _held_by(session: AsyncSession, uscc: str, error: IntegrityError) -> Problem:
    """The problem of a registration whose USCC `uscc_in_use` refused: the record that holds it, as
    read after the refusal (PostgreSQL checks the keys of one statement in an order of its own, so
    a USCC registered twice may be refused by either key). Where the refusal ended the transaction
    too, the read is refused: then the conflict is answered as any other (shared.errors)."""
    try:
        held_as = (await held(session, [uscc])).get(uscc)
    except DBAPIError:
        raise error from None
    return duplicate_registration(uscc) if held_as in (None, "registration") else refuse([uscc_held_violation(uscc, held_as)])


def duplicate_registration(uscc: str) -> Problem:
    return Problem(409, "duplicate-registration", "Already registered", f"USCC {uscc} is already registered")


async def register(
    session: AsyncSession, principal: Principal, body: RegistrationCreate, today: dt.date, traceparent: str | None
) -> RegistrationRead:
    if violations := new_registration_violations(principal, body, today):
        raise refuse(violations)
    return await add_registration(session, principal, body, traceparent, ends_transaction=True)


async def _registration_to_change(session: AsyncSession, principal: Principal, uscc: str) -> Registration:
    row = await RegistrationRepository(session, principal).get(uscc, for_update=True)
    if row is None:
        raise not_found("registration", uscc)
    if violations := acting_for_violations(principal.department, principal.region, row.registrar, row.registrar_region):
        raise refuse(violations)
    return row


async def amend_registration(
    session: AsyncSession, principal: Principal, uscc: str, changes: RegistrationUpdate, today: dt.date, traceparent: str | None
) -> RegistrationRead:
    row = await _registration_to_change(session, principal, uscc)
    before = registration_read(row)
    if before.status != "active":
        raise refuse([Violation("status", "amend_active_only", "a deregistered institution cannot be amended", 409)])
    wanted = changes.model_dump(exclude_unset=True, mode="json")
    merged = {**before.model_dump(mode="json"), **wanted}
    changed = changed_fields(before.model_dump(mode="json"), wanted)
    if not changed:
        # The record as it is, with no new version and no event: a PATCH sent again (a client's
        # retry) changes nothing, and the health bureau is told of changes, not of requests.
        return before
    merged_facts = RegistrationFacts.of({**merged, "registered_on": before.registered_on})
    if violations := registration_violations(merged_facts, today):
        raise refuse(violations)
    for column, value in _registration_columns({k: merged[k] for k in changed}).items():
        setattr(row, column, value)
    was = before.model_dump(mode="json")
    return await _changed(
        session,
        principal,
        row,
        registration_read,
        before={k: was[k] for k in changed},
        action="amend",
        entity="registration",
        event_type="tuoyu.registration.institution.amended.v1",
        traceparent=traceparent,
        changed=changed,
    )


async def deregister(
    session: AsyncSession, principal: Principal, uscc: str, ending: EndingCreate, today: dt.date, traceparent: str | None
) -> RegistrationRead:
    row = await _registration_to_change(session, principal, uscc)
    if violations := ending_violations(row.status, row.registered_on, ending.on, today, field="on"):
        raise refuse(violations)
    before = {"status": row.status, "deregistered_on": None}
    row.status, row.deregistered_on, row.deregistration_reason = "deregistered", ending.on, ending.reason
    return await _changed(
        session,
        principal,
        row,
        registration_read,
        before=before,
        action="deregister",
        entity="registration",
        event_type="tuoyu.registration.institution.deregistered.v1",
        traceparent=traceparent,
        reason=ending.reason,
    )


# -- the kindergarten 托班 ledger --------------------------------------------------------------


def kindergarten_read(row: KindergartenClass) -> KindergartenClassRead:
    return KindergartenClassRead.model_validate({c: getattr(row, c) for c in KindergartenClassRead.model_fields})


def _education_violations(principal: Principal, ledger_region: str) -> list[Violation]:
    return acting_for_violations(principal.department, principal.region, EDUCATION, ledger_region)


async def record_kindergarten_class(
    session: AsyncSession, principal: Principal, body: KindergartenClassCreate, today: dt.date, traceparent: str | None
) -> KindergartenClassRead:
    violations = _education_violations(principal, body.ledger_region) + ledger_violations(
        uscc=body.uscc,
        county=body.county,
        ledger_region=body.ledger_region,
        recorded_on=body.recorded_on,
        classes=body.classes,
        places=body.places,
        today=today,
    )
    if violations:
        raise refuse(violations)
    repo = KindergartenRepository(session, principal)
    held_as = (await held(session, [body.uscc])).get(body.uscc)
    if held_as == "kindergarten_class":
        raise Problem(409, "duplicate-ledger-entry", "Already in the ledger", f"kindergarten {body.uscc} is in the ledger already")
    if held_as is not None:
        raise refuse([uscc_held_violation(body.uscc, held_as)])
    now = utcnow()
    row = KindergartenClass(**body.model_dump(), status="active", version=1, created_at=now, updated_at=now, updated_by=principal.sub)
    repo.add(row)
    created = kindergarten_read(row)
    await audit(session, platform, principal, "record", "kindergarten_class", row.uscc)
    await record(session, platform, snapshot_event("tuoyu.registration.kindergarten_class.recorded.v1", created, row.county, traceparent))
    return created


async def _ledger_entry_to_change(session: AsyncSession, principal: Principal, uscc: str) -> KindergartenClass:
    row = await KindergartenRepository(session, principal).get(uscc, for_update=True)
    if row is None:
        raise not_found("kindergarten ledger entry", uscc)
    if violations := _education_violations(principal, row.ledger_region):
        raise refuse(violations)
    return row


async def amend_kindergarten_class(
    session: AsyncSession, principal: Principal, uscc: str, changes: KindergartenClassUpdate, today: dt.date, traceparent: str | None
) -> KindergartenClassRead:
    row = await _ledger_entry_to_change(session, principal, uscc)
    before = kindergarten_read(row)
    if before.status != "active":
        raise refuse([Violation("status", "amend_active_only", "a closed ledger entry cannot be amended", 409)])
    wanted = changes.model_dump(exclude_unset=True)
    changed = changed_fields(before.model_dump(), wanted)
    if not changed:
        return before
    merged = {**before.model_dump(), **wanted}
    if violations := ledger_violations(
        uscc=uscc,
        county=row.county,
        ledger_region=row.ledger_region,
        recorded_on=row.recorded_on,
        classes=merged["classes"],
        places=merged["places"],
        today=today,
    ):
        raise refuse(violations)
    for column in changed:
        setattr(row, column, merged[column])
    was = before.model_dump(mode="json")
    return await _changed(
        session,
        principal,
        row,
        kindergarten_read,
        before={k: was[k] for k in changed},
        action="amend",
        entity="kindergarten_class",
        event_type="tuoyu.registration.kindergarten_class.amended.v1",
        traceparent=traceparent,
        changed=changed,
    )


async def close_kindergarten_class(
    session: AsyncSession, principal: Principal, uscc: str, ending: EndingCreate, today: dt.date, traceparent: str | None
) -> KindergartenClassRead:
    row = await _ledger_entry_to_change(session, principal, uscc)
    if violations := ending_violations(row.status, row.recorded_on, ending.on, today, field="on"):
        raise refuse(violations)
    before = {"status": row.status, "closed_on": None}
    row.status, row.closed_on, row.closure_reason = "closed", ending.on, ending.reason
    return await _changed(
        session,
        principal,
        row,
        kindergarten_read,
        before=before,
        action="close",
        entity="kindergarten_class",
        event_type="tuoyu.registration.kindergarten_class.closed.v1",
        traceparent=traceparent,
        reason=ending.reason,
    )
