"""What the supervision service handles: registrations and kindergarten 托班 arriving at the
health bureau (and their changes, which also update filings), the workforce's staffing facts, and
the subsidy budgets and payments the joint meeting's tracker sets against each other. What it
publishes is in `commands`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands import exchange as exchange_cmd
from inspection_svc.commands import filing as filings_cmd
from inspection_svc.commands import inbox as inbox_cmd
from inspection_svc.commands import staffing as staffing_cmd
from inspection_svc.commands import tracker as tracker_cmd
from inspection_svc.commands import unlicensed as unlicensed_cmd
from inspection_svc.domain.inbox import arrival_of_institution, arrival_of_kindergarten_class
from inspection_svc.domain.unlicensed import name_key
from inspection_svc.repository import prefetch_arrivals
from shared.events.catalogue import INSTITUTION_TOPIC, KINDERGARTEN_CLASS_TOPIC
from shared.events.envelope import Event
from shared.events.registration import InstitutionSnapshot, KindergartenClassSnapshot
from shared.events.subsidy import BudgetSet, SubsidyBooked
from shared.events.training import CertificateIssued, HealthCheckRecorded, PractitionerSnapshot
from shared.inbox import CatchUp, applying, data_of, prefetching
from shared.service import ConsumerSpec
from shared.timeutil import today_in_china


async def prefetch_registrations(session: AsyncSession, events: list[Event]) -> None:
    """A batch of registrations and 托班: its inbox rows, open filings and banned operators in three reads."""
    snapshots = [data_of(session, e) for e in events]
    await prefetch_arrivals(session, [(d.uscc, name_key(d.name), d.county) for d in snapshots if isinstance(d, InstitutionSnapshot | KindergartenClassSnapshot)])


@prefetching(prefetch_registrations)
async def on_institution(session: AsyncSession, event: Event) -> None:
    data = data_of(session, event)
    assert isinstance(data, InstitutionSnapshot)
    arrival = arrival_of_institution(data)
    await exchange_cmd.record_receipt(session, event, INSTITUTION_TOPIC)
    if await inbox_cmd.receive(session, arrival):  # this event is the newest the inbox has seen
        await filings_cmd.follow_registration(session, arrival, today_in_china())
        if arrival.status == "active":
            await unlicensed_cmd.link_registration(session, arrival)


@prefetching(prefetch_registrations)
async def on_kindergarten_class(session: AsyncSession, event: Event) -> None:
    data = data_of(session, event)
    assert isinstance(data, KindergartenClassSnapshot)
    await exchange_cmd.record_receipt(session, event, KINDERGARTEN_CLASS_TOPIC)
    await inbox_cmd.receive(session, arrival_of_kindergarten_class(data))


async def on_scheduled_catch_up(session: AsyncSession, result: CatchUp) -> None:
    """A scheduled pass over the feed found registrations the broker had not delivered: count them."""
    await inbox_cmd.record_catch_up(session, result, trigger="schedule")


STAFFING = ConsumerSpec(
    "inspection.staffing",
    {
        "tuoyu.training.practitioner.hired.v1": applying(PractitionerSnapshot, staffing_cmd.practitioner_changed),
        "tuoyu.training.practitioner.departed.v1": applying(PractitionerSnapshot, staffing_cmd.practitioner_changed),
        # a volunteer flag corrected changes who counts toward the staffing ratios
        "tuoyu.training.practitioner.amended.v1": applying(PractitionerSnapshot, staffing_cmd.practitioner_changed),
        "tuoyu.training.certificate.issued.v1": applying(CertificateIssued, staffing_cmd.certificate_issued),
        "tuoyu.training.health_check.recorded.v1": applying(HealthCheckRecorded, staffing_cmd.health_checked),
    },
)

HEALTH_INBOX = ConsumerSpec(
    "inspection.health-inbox",
    {
        "tuoyu.registration.institution.registered.v1": on_institution,
        "tuoyu.registration.institution.amended.v1": on_institution,
        "tuoyu.registration.institution.deregistered.v1": on_institution,
        "tuoyu.registration.kindergarten_class.recorded.v1": on_kindergarten_class,
        "tuoyu.registration.kindergarten_class.amended.v1": on_kindergarten_class,
        "tuoyu.registration.kindergarten_class.closed.v1": on_kindergarten_class,
    },
    on_catch_up=on_scheduled_catch_up,
    prompt=True,  # the platform's headline: a registration reaches the health bureau at once
)

# the joint meeting's tracker: subsidy paid against budget
SUBSIDY_FACTS = ConsumerSpec(
    "inspection.subsidy-facts",
    {
        "tuoyu.subsidy.budget.set.v1": applying(BudgetSet, tracker_cmd.budget_set),
        "tuoyu.subsidy.ledger.booked.v1": applying(SubsidyBooked, tracker_cmd.subsidy_booked),
    },
)

CONSUMERS = [HEALTH_INBOX, STAFFING, SUBSIDY_FACTS]
