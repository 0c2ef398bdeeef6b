"""What the registration service publishes; it consumes nothing."""

from __future__ import annotations

from shared.events.catalogue import new_event
from shared.events.envelope import Event
from shared.events.registration import InstitutionRegistered, InstitutionSnapshot

SOURCE = "registration-svc"
SNAPSHOT_FIELDS = set(InstitutionSnapshot.model_fields)


def registered(record: InstitutionSnapshot, traceparent: str | None = None) -> Event:
    return new_event(
        "tuoyu.registration.institution.registered.v1",
        source=SOURCE,
        subject=record.uscc,
        region=record.county,
        data=InstitutionRegistered.model_validate(record.model_dump(include=SNAPSHOT_FIELDS)),
        traceparent=traceparent,
    )
