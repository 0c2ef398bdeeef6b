"""What the subsidy service handles: registrations and filings, into its own read model of the
facts eligibility depends on (registered and not deregistered, filing accepted)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.events.catalogue import parse_data
from shared.events.envelope import Event
from shared.events.inspection import FilingSnapshot
from shared.events.registration import InstitutionSnapshot
from shared.service import ConsumerSpec
from subsidy_svc.models import Institution
from subsidy_svc.repository import InstitutionRepository


async def _institution(session: AsyncSession, uscc: str, name: str, county: str) -> Institution:
    repo = InstitutionRepository(session)
    row = await repo.get(uscc, for_update=True)
    if row is None:
        row = Institution(
            uscc=uscc, name=name, county=county, registration_version=0, filing_sequence=0, filing_version=0, updated_at=utcnow()
        )
        repo.add(row)
    return row


async def on_registration(session: AsyncSession, event: Event) -> None:
    data = parse_data(event)
    assert isinstance(data, InstitutionSnapshot)
    row = await _institution(session, data.uscc, data.name, data.county)
    if data.version > row.registration_version:  # an older snapshot arriving late changes nothing
        row.name, row.county, row.nature = data.name, data.county, data.nature
        row.inclusive_declared, row.registration_status = data.inclusive, data.status
        row.registration_version, row.updated_at = data.version, utcnow()


async def on_filing(session: AsyncSession, event: Event) -> None:
    data = parse_data(event)
    assert isinstance(data, FilingSnapshot)
    row = await _institution(session, data.uscc, data.name, data.county)
    # The institution's latest filing counts, at its latest version; older news arriving late does not.
    if (data.sequence, data.version) > (row.filing_sequence, row.filing_version):
        row.filing_id, row.filing_status = data.filing_id, data.status
        row.filing_sequence, row.filing_version, row.updated_at = data.sequence, data.version, utcnow()


ELIGIBILITY_FACTS = ConsumerSpec(
    "subsidy.eligibility-facts",
    {
        "tuoyu.registration.institution.registered.v1": on_registration,
        "tuoyu.registration.institution.amended.v1": on_registration,
        "tuoyu.registration.institution.deregistered.v1": on_registration,
        "tuoyu.inspection.filing.submitted.v1": on_filing,
        "tuoyu.inspection.filing.accepted.v1": on_filing,
        "tuoyu.inspection.filing.returned.v1": on_filing,
        "tuoyu.inspection.filing.cancelled.v1": on_filing,
    },
)

CONSUMERS = [ELIGIBILITY_FACTS]
