"""The event catalogue and the CloudEvents envelope."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest

from services.catalogue import SERVICES
from shared.events.catalogue import CATALOGUE, TOPICS, new_event, parse_data
from shared.events.envelope import Event
from shared.events.inspection import FilingSubmitted
from shared.events.registration import InstitutionRegistered

TYPE_SHAPE = re.compile(r"^tuoyu\.[a-z]+\.[a-z_-]+\.[a-z_]+\.v\d+$")


def test_types_and_topics_follow_the_naming_rule() -> None:
    for event_type, spec in CATALOGUE.items():
        assert TYPE_SHAPE.match(event_type), event_type
        context, entity = event_type.split(".")[1:3]
        assert spec.topic == f"tuoyu.{context}.{entity}"
    assert len(TOPICS) == len(set(TOPICS))


def test_every_topic_has_a_producing_service_and_consumed_topics_exist() -> None:
    names = {s.name for s in SERVICES}
    for spec in CATALOGUE.values():
        assert spec.producer in names
    for service in SERVICES:
        assert set(service.consumes) <= set(TOPICS)


def test_the_suite_catalogue_lists_what_each_service_consumes() -> None:
    for service in SERVICES:
        try:
            consumers = importlib.import_module(f"{service.package}.events").CONSUMERS
        except (ModuleNotFoundError, AttributeError):
            consumers = []
        handled = {CATALOGUE[t].topic for spec in consumers for t in spec.handlers}
        assert handled == set(service.consumes), service.name


FILING = FilingSubmitted(
    filing_id="f-1",
    sequence=1,
    uscc="x",
    name="某托育中心",
    county="441802",
    status="submitted",
    submitted_on=dt.date(2026, 9, 25),
    answer_due_on=dt.date(2026, 10, 9),
    return_due_on=dt.date(2026, 10, 23),
    version=1,
)


def test_an_event_round_trips_through_json() -> None:
    event = new_event("tuoyu.inspection.filing.submitted.v1", source="inspection-svc", subject="x", region="441802", data=FILING)
    again = Event.from_json(event.to_json())
    assert again == event
    assert parse_data(again) == FILING
    assert again.specversion == "1.0"


def test_an_event_must_carry_its_own_schema() -> None:
    with pytest.raises(TypeError):
        new_event("tuoyu.registration.institution.registered.v1", source="s", subject="x", region="441802", data=FILING)
    with pytest.raises(KeyError):
        new_event("tuoyu.nothing.here.happened.v1", source="s", subject="x", region="441802", data=FILING)
    assert issubclass(CATALOGUE["tuoyu.registration.institution.registered.v1"].data, InstitutionRegistered)
