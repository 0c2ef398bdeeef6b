"""The one catalogue of events: type → topic and data schema (DESIGN §4).

Types are `tuoyu.<context>.<entity>.<verb>.v<N>`, named in the past tense; one topic per entity
stream, `tuoyu.<context>.<entity>`. A change to a data schema that breaks readers gets a new `vN`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel

from shared.events import inspection, registration, subsidy, training
from shared.events.envelope import Event


@dataclass(frozen=True)
class EventSpec:
    type: str
    topic: str
    data: type[BaseModel]
    summary: str

    @property
    def producer(self) -> str:
        return producer_of(self.topic)


def producer_of(topic: str) -> str:
    """The service that owns a topic, and serves it in its feed: `tuoyu.<context>.…` → `<context>`."""
    return topic.split(".")[1]


INSTITUTION_TOPIC = "tuoyu.registration.institution"
KINDERGARTEN_CLASS_TOPIC = "tuoyu.registration.kindergarten_class"
FILING_TOPIC = "tuoyu.inspection.filing"
INSPECTION_TOPIC = "tuoyu.inspection.inspection"
FINDING_TOPIC = "tuoyu.inspection.finding"
CREDIT_TOPIC = "tuoyu.inspection.credit"
UNLICENSED_TOPIC = "tuoyu.inspection.unlicensed_operator"
EVALUATION_TOPIC = "tuoyu.inspection.evaluation"
DESIGNATION_TOPIC = "tuoyu.inspection.designation"
PRACTITIONER_TOPIC = "tuoyu.training.practitioner"
CERTIFICATE_TOPIC = "tuoyu.training.certificate"
HEALTH_CHECK_TOPIC = "tuoyu.training.health_check"
BUDGET_TOPIC = "tuoyu.subsidy.budget"
LEDGER_TOPIC = "tuoyu.subsidy.ledger"

CATALOGUE: dict[str, EventSpec] = {
    s.type: s
    for s in (
        EventSpec(
            "tuoyu.registration.institution.registered.v1",
            INSTITUTION_TOPIC,
            registration.InstitutionRegistered,
            "An institution was registered by 编办, 民政 or 市场监管.",
        ),
        EventSpec(
            "tuoyu.registration.institution.amended.v1",
            INSTITUTION_TOPIC,
            registration.InstitutionAmended,
            "A registered institution's record was amended.",
        ),
        EventSpec(
            "tuoyu.registration.institution.deregistered.v1",
            INSTITUTION_TOPIC,
            registration.InstitutionDeregistered,
            "A registration was cancelled (注销).",
        ),
        EventSpec(
            "tuoyu.registration.kindergarten_class.recorded.v1",
            KINDERGARTEN_CLASS_TOPIC,
            registration.KindergartenClassRecorded,
            "A kindergarten's 托班 entered the education bureau's ledger (台账).",
        ),
        EventSpec(
            "tuoyu.registration.kindergarten_class.amended.v1",
            KINDERGARTEN_CLASS_TOPIC,
            registration.KindergartenClassAmended,
            "A kindergarten's 托班 ledger entry was amended.",
        ),
        EventSpec(
            "tuoyu.registration.kindergarten_class.closed.v1",
            KINDERGARTEN_CLASS_TOPIC,
            registration.KindergartenClassClosed,
            "A kindergarten stopped its 托班.",
        ),
        EventSpec(
            "tuoyu.inspection.filing.submitted.v1",
            FILING_TOPIC,
            inspection.FilingSubmitted,
            "An institution filed (备案) with the county health bureau.",
        ),
        EventSpec(
            "tuoyu.inspection.filing.accepted.v1",
            FILING_TOPIC,
            inspection.FilingAccepted,
            "The health bureau accepted a filing.",
        ),
        EventSpec(
            "tuoyu.inspection.filing.returned.v1",
            FILING_TOPIC,
            inspection.FilingReturned,
            "The health bureau returned a filing with its reasons (made public).",
        ),
        EventSpec(
            "tuoyu.inspection.filing.cancelled.v1",
            FILING_TOPIC,
            inspection.FilingCancelled,
            "A filing lapsed because its registration was cancelled.",
        ),
        EventSpec(
            "tuoyu.inspection.inspection.recorded.v1",
            INSPECTION_TOPIC,
            inspection.InspectionRecorded,
            "An agency inspected an institution.",
        ),
        EventSpec(
            "tuoyu.inspection.finding.raised.v1",
            FINDING_TOPIC,
            inspection.FindingRaised,
            "An inspection found something to rectify, with its severity and deadline.",
        ),
        EventSpec(
            "tuoyu.inspection.finding.closed.v1",
            FINDING_TOPIC,
            inspection.FindingClosed,
            "A follow-up verified that a finding was rectified.",
        ),
        EventSpec(
            "tuoyu.inspection.credit.changed.v1",
            CREDIT_TOPIC,
            inspection.CreditChanged,
            "An institution's credit standing changed (dishonest: no subsidies while listed).",
        ),
        EventSpec(
            "tuoyu.inspection.unlicensed_operator.recorded.v1",
            UNLICENSED_TOPIC,
            inspection.UnlicensedOperatorRecorded,
            "Market supervision found and banned an unlicensed operator (取缔).",
        ),
        EventSpec(
            "tuoyu.inspection.unlicensed_operator.linked.v1",
            UNLICENSED_TOPIC,
            inspection.UnlicensedOperatorLinked,
            "A banned operator has since registered, and is linked to its registration.",
        ),
        EventSpec(
            "tuoyu.inspection.evaluation.published.v1",
            EVALUATION_TOPIC,
            inspection.EvaluationPublished,
            "A quality evaluation's review window closed and its result is public.",
        ),
        EventSpec(
            "tuoyu.inspection.designation.inclusive_recognised.v1",
            DESIGNATION_TOPIC,
            inspection.InclusiveRecognised,
            "The county health bureau recognised an institution as 普惠 for a year.",
        ),
        EventSpec(
            "tuoyu.inspection.designation.demonstration_nominated.v1",
            DESIGNATION_TOPIC,
            inspection.DemonstrationNominated,
            "A county nominated an institution as a demonstration unit (示范点).",
        ),
        EventSpec(
            "tuoyu.inspection.designation.demonstration_confirmed.v1",
            DESIGNATION_TOPIC,
            inspection.DemonstrationConfirmed,
            "The city confirmed a demonstration unit.",
        ),
        EventSpec(
            "tuoyu.inspection.designation.withdrawn.v1",
            DESIGNATION_TOPIC,
            inspection.DesignationWithdrawn,
            "A 普惠 recognition or demonstration designation was withdrawn.",
        ),
        EventSpec(
            "tuoyu.training.practitioner.hired.v1",
            PRACTITIONER_TOPIC,
            training.PractitionerHired,
            "A practitioner was hired by an institution (ID number masked).",
        ),
        EventSpec(
            "tuoyu.training.practitioner.departed.v1",
            PRACTITIONER_TOPIC,
            training.PractitionerDeparted,
            "A practitioner left the institution.",
        ),
        EventSpec(
            "tuoyu.training.practitioner.amended.v1",
            PRACTITIONER_TOPIC,
            training.PractitionerAmended,
            "A practitioner's name or 返聘 / volunteer flags were corrected (the phone never travels).",
        ),
        EventSpec(
            "tuoyu.training.certificate.issued.v1",
            CERTIFICATE_TOPIC,
            training.CertificateIssued,
            "A qualification, skill-level or training certificate was issued to a practitioner.",
        ),
        EventSpec(
            "tuoyu.training.health_check.recorded.v1",
            HEALTH_CHECK_TOPIC,
            training.HealthCheckRecorded,
            "A practitioner's annual health check was recorded.",
        ),
        EventSpec(
            "tuoyu.subsidy.budget.set.v1",
            BUDGET_TOPIC,
            subsidy.BudgetSet,
            "Finance set a budget line (programme, year, region, funding level).",
        ),
        EventSpec(
            "tuoyu.subsidy.ledger.booked.v1",
            LEDGER_TOPIC,
            subsidy.SubsidyBooked,
            "A payment, or its reversal, was booked on a budget line.",
        ),
    )
}

TOPICS: tuple[str, ...] = tuple(dict.fromkeys(s.topic for s in CATALOGUE.values()))


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def spec_of(event_type: str) -> EventSpec:
    try:
        return CATALOGUE[event_type]
    except KeyError:
        raise KeyError(f"event type {event_type!r} is not in the catalogue") from None


def new_event(
    event_type: str,
    *,
    source: str,
    subject: str,
    region: str,
    data: BaseModel,
    traceparent: str | None = None,
    time: dt.datetime | None = None,
) -> Event:
    """Build an envelope for a catalogued type; the data must be that type's schema."""
    spec = spec_of(event_type)
    if not isinstance(data, spec.data):
        raise TypeError(f"{event_type} carries {spec.data.__name__}, not {type(data).__name__}")
    extra = {"time": time} if time else {}
    return Event(
        source=source,
        type=event_type,
        subject=subject,
        region=region,
        traceparent=traceparent,
        data=data.model_dump(mode="json"),
        **extra,
    )


def parse_data(event: Event) -> BaseModel:
    """The event's data as its catalogued schema (raises on a payload that does not fit)."""
    return spec_of(event.type).data.model_validate(event.data)
