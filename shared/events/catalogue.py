"""The one catalogue of events: type → topic and data schema (DESIGN §4).

Types are `tuoyu.<context>.<entity>.<verb>.v<N>`, named in the past tense; one topic per entity
stream, `tuoyu.<context>.<entity>`. A change to a data schema that breaks readers gets a new `vN`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel

from shared.events import inspection, registration
from shared.events.envelope import Event


@dataclass(frozen=True)
class EventSpec:
    type: str
    topic: str
    data: type[BaseModel]
    summary: str

    @property
    def producer(self) -> str:
        """The service that owns the topic: `tuoyu.<context>.…` → `<context>`."""
        return self.topic.split(".")[1]


INSTITUTION_TOPIC = "tuoyu.registration.institution"
KINDERGARTEN_CLASS_TOPIC = "tuoyu.registration.kindergarten_class"
FILING_TOPIC = "tuoyu.inspection.filing"

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
