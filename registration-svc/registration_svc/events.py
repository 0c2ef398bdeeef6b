"""What the registration service publishes; it consumes nothing."""

from __future__ import annotations

from shared.events.catalogue import new_event
from shared.events.envelope import Event
from shared.events.registration import InstitutionRegistered, Places

from registration_svc.models import Registration

SOURCE = "registration-svc"


def registered(row: Registration, traceparent: str | None = None) -> Event:
    data = InstitutionRegistered(
        uscc=row.uscc,
        name=row.name,
        nature=row.nature,  # type: ignore[arg-type]
        registrar=row.registrar,
        registrar_region=row.registrar_region,
        county=row.county,
        registered_on=row.registered_on,
        address=row.address,
        legal_representative=row.legal_representative,
        service_types=row.service_types,  # type: ignore[arg-type]
        places=Places(infant=row.places_infant, toddler=row.places_toddler, older_toddler=row.places_older_toddler),
        inclusive=row.inclusive,
        operating_mode=row.operating_mode,  # type: ignore[arg-type]
        employer_run=row.employer_run,
        sponsors=row.sponsors,
        status=row.status,  # type: ignore[arg-type]
    )
    return new_event(
        "tuoyu.registration.institution.registered.v1",
        source=SOURCE,
        subject=row.uscc,
        region=row.county,
        data=data,
        traceparent=traceparent,
    )
