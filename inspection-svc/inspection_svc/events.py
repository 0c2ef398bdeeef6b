"""What the supervision service handles: registrations arriving at the health bureau."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.events.catalogue import parse_data
from shared.events.envelope import Event
from shared.events.registration import InstitutionRegistered
from shared.service import ConsumerSpec

from inspection_svc.domain.inbox import health_region_for, received_same_month
from inspection_svc.models import InboxEntry
from inspection_svc.repository import InboxRepository


async def on_registered(session: AsyncSession, event: Event) -> None:
    data = parse_data(event)
    assert isinstance(data, InstitutionRegistered)
    repo = InboxRepository(session)
    if await repo.get(data.uscc) is not None:
        return  # it arrived already (the same institution's event re-sent under a new id)
    now = utcnow()
    await repo.add(
        InboxEntry(
            uscc=data.uscc,
            name=data.name,
            nature=data.nature,
            registrar=data.registrar,
            registrar_region=data.registrar_region,
            health_region=health_region_for(data.registrar_region),
            county=data.county,
            registered_on=data.registered_on,
            received_at=now,
            same_month=received_same_month(data.registered_on, now),
            status=data.status,
            updated_at=now,
        )
    )


HEALTH_INBOX = ConsumerSpec(
    "inspection.health-inbox",
    {"tuoyu.registration.institution.registered.v1": on_registered},
)

CONSUMERS = [HEALTH_INBOX]
