"""What the subsidy service handles: registrations, filings, credit, findings and designations,
into its own read model of the facts eligibility depends on (registered and not deregistered,
filing accepted, not dishonest, no open critical finding, 普惠 and demonstration designations)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.events.envelope import Event
from shared.events.inspection import CreditChanged, DesignationSnapshot, FilingSnapshot, FindingSnapshot
from shared.events.registration import InstitutionSnapshot
from shared.events.training import CertificateIssued
from shared.inbox import data_of, keep_row, prefetch_rows, prefetching, row_for
from shared.service import ConsumerSpec
from shared.timeutil import today_in_china
from subsidy_svc import commands
from subsidy_svc.models import CertificateFact, DesignationFact, FindingFact, Institution
from subsidy_svc.repository import CertificateRepository, FactRepository

# one read a batch for the institutions its registration, filing and credit events concern
institutions_of_batch = prefetch_rows(Institution, lambda data: getattr(data, "uscc"))


async def _institution(session: AsyncSession, uscc: str, name: str, county: str) -> Institution:
    row = await row_for(session, Institution, uscc)
    if row is None:
        row = Institution(
            uscc=uscc,
            name=name,
            county=county,
            registration_version=0,
            filing_sequence=0,
            filing_version=0,
            credit_status="normal",
            credit_version=0,
            updated_at=utcnow(),
        )
        keep_row(session, row)
    return row


@prefetching(institutions_of_batch)
async def on_registration(session: AsyncSession, event: Event) -> None:
    data = data_of(session, event)
    assert isinstance(data, InstitutionSnapshot)
    row = await _institution(session, data.uscc, data.name, data.county)
    if data.version > row.registration_version:  # an older snapshot arriving late changes nothing
        row.name, row.county, row.nature = data.name, data.county, data.nature
        row.inclusive_declared, row.registration_status = data.inclusive, data.status
        row.registration_version, row.updated_at = data.version, utcnow()


@prefetching(institutions_of_batch)
async def on_filing(session: AsyncSession, event: Event) -> None:
    data = data_of(session, event)
    assert isinstance(data, FilingSnapshot)
    row = await _institution(session, data.uscc, data.name, data.county)
    # The institution's latest filing counts, at its latest version; older news arriving late does not.
    if (data.sequence, data.version) > (row.filing_sequence, row.filing_version):
        row.filing_id, row.filing_status = data.filing_id, data.status
        row.filing_sequence, row.filing_version, row.updated_at = data.sequence, data.version, utcnow()


@prefetching(institutions_of_batch)
async def on_credit(session: AsyncSession, event: Event) -> None:
    data = data_of(session, event)
    assert isinstance(data, CreditChanged)
    row = await _institution(session, data.uscc, data.uscc, data.county)
    if data.version > row.credit_version:
        row.credit_status, row.credit_version, row.updated_at = data.status, data.version, utcnow()


async def on_finding(session: AsyncSession, event: Event) -> None:
    data = data_of(session, event)
    assert isinstance(data, FindingSnapshot)
    await FactRepository(session).keep(FindingFact, data.finding_id, data.version, uscc=data.uscc, severity=data.severity, status=data.status)


async def on_designation(session: AsyncSession, event: Event) -> None:
    data = data_of(session, event)
    assert isinstance(data, DesignationSnapshot)
    await FactRepository(session).keep(
        DesignationFact, data.designation_id, data.version, uscc=data.uscc, kind=data.kind, year=data.year, status=data.status
    )


async def on_certificate(session: AsyncSession, event: Event) -> None:
    """Keep the certificate, and create the claim it makes certain (waiting for review)."""
    data = data_of(session, event)
    assert isinstance(data, CertificateIssued)
    fact = CertificateFact(**data.model_dump(), county=event.region)
    await CertificateRepository(session).keep(fact)
    await session.flush()
    await commands.claim_for_certificate(session, fact, today_in_china())


CERTIFICATES = ConsumerSpec("subsidy.certificates", {"tuoyu.training.certificate.issued.v1": on_certificate})

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
        "tuoyu.inspection.credit.changed.v1": on_credit,
        "tuoyu.inspection.finding.raised.v1": on_finding,
        "tuoyu.inspection.finding.closed.v1": on_finding,
        "tuoyu.inspection.designation.inclusive_recognised.v1": on_designation,
        "tuoyu.inspection.designation.demonstration_nominated.v1": on_designation,
        "tuoyu.inspection.designation.demonstration_confirmed.v1": on_designation,
        "tuoyu.inspection.designation.withdrawn.v1": on_designation,
    },
)

CONSUMERS = [ELIGIBILITY_FACTS, CERTIFICATES]
