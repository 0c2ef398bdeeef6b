"""What the workforce service handles: registrations, into its own read model of employers (an
unknown or deregistered employer is refused). What it publishes is in `commands`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Event
from shared.events.registration import InstitutionSnapshot
from shared.inbox import data_of, keep_row, prefetch_rows, prefetching, row_for
from shared.service import ConsumerSpec
from training_svc.models import Employer


@prefetching(prefetch_rows(Employer, lambda data: getattr(data, "uscc")))
async def on_registration(session: AsyncSession, event: Event) -> None:
    data = data_of(session, event)
    assert isinstance(data, InstitutionSnapshot)
    row = await row_for(session, Employer, data.uscc)
    values = {
        "name": data.name,
        "county": data.county,
        "status": data.status,
        "places_infant": data.places.infant,
        "places_toddler": data.places.toddler,
        "places_older_toddler": data.places.older_toddler,
        "version": data.version,
    }
    if row is None:
        keep_row(session, Employer(uscc=data.uscc, **values))
    elif data.version > row.version:  # an older snapshot arriving late changes nothing
        for name, value in values.items():
            setattr(row, name, value)


EMPLOYERS = ConsumerSpec(
    "training.employers",
    {
        "tuoyu.registration.institution.registered.v1": on_registration,
        "tuoyu.registration.institution.amended.v1": on_registration,
        "tuoyu.registration.institution.deregistered.v1": on_registration,
    },
)

CONSUMERS = [EMPLOYERS]
