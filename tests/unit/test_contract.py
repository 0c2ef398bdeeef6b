"""The published contract: one valid example per event type, each type's schema on its own, and
the readers and group convention in every channel."""

from __future__ import annotations

import orjson
import pytest
from jsonschema import Draft202012Validator

from shared.asyncapi import asyncapi_document, contract_files, event_schema
from shared.events.catalogue import CATALOGUE, TOPICS, parse_data
from shared.events.examples import EXAMPLES
from shared.subscriptions import TOPIC_READERS
from shared.validators import uscc_violation


def test_every_catalogue_type_has_one_example() -> None:
    assert set(EXAMPLES) == set(CATALOGUE)
    for event_type, example in EXAMPLES.items():
        assert example.type == event_type and example.source == f"{CATALOGUE[event_type].producer}-svc"
        parse_data(example)  # the data fits the type's model


@pytest.mark.parametrize("event_type", list(CATALOGUE))
def test_each_example_validates_against_its_own_json_schema(event_type: str) -> None:
    schema = event_schema(event_type)
    Draft202012Validator.check_schema(schema)
    example = EXAMPLES[event_type].model_dump(mode="json")
    Draft202012Validator(schema).validate(example)
    # and against the message payload of the AsyncAPI document, with its shared components
    document = asyncapi_document()
    message = next(m for m in document["components"]["messages"].values() if m["name"] == event_type)
    assert message["examples"][0]["payload"] == example
    Draft202012Validator({**message["payload"], "components": document["components"]}).validate(example)


def test_a_schema_refuses_what_its_type_does_not_allow() -> None:
    event_type = "tuoyu.registration.institution.registered.v1"
    validator = Draft202012Validator(event_schema(event_type))
    example = EXAMPLES[event_type].model_dump(mode="json")
    assert not validator.is_valid({**example, "type": "tuoyu.registration.institution.amended.v1"})
    assert not validator.is_valid({**example, "data": {**example["data"], "nature": "charity"}})
    assert not validator.is_valid({**example, "data": {k: v for k, v in example["data"].items() if k != "uscc"}})


def test_examples_look_like_the_real_thing() -> None:
    for example in EXAMPLES.values():
        if (uscc := example.data.get("uscc")) is not None:
            assert uscc_violation(uscc) is None
    masked = EXAMPLES["tuoyu.training.practitioner.hired.v1"].data["id_number_masked"]
    assert len(masked) == 18 and "*" * 11 in masked


def test_every_channel_names_its_readers_and_the_group_convention() -> None:
    channels = asyncapi_document({"kafka": "kafka-1:9092"})["channels"]
    assert set(channels) == set(TOPICS)
    for topic, channel in channels.items():
        assert channel["x-readers"] == list(TOPIC_READERS[topic])
        assert "<department>.<region>.<purpose>" in channel["description"]
        assert channel["subscribe"]["bindings"]["kafka"]["groupId"]["pattern"]


def test_the_contract_files_hold_a_schema_and_an_example_per_type() -> None:
    files = contract_files()
    assert orjson.loads(files["asyncapi.json"])["asyncapi"] == "2.6.0"
    for event_type in CATALOGUE:
        schema = orjson.loads(files[f"{event_type}.schema.json"])
        Draft202012Validator(schema).validate(orjson.loads(files[f"{event_type}.example.json"]))
    assert contract_files() == files  # the same every time: fixed ids and times


def test_tuoyu_contract_writes_the_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from services.cli import app

    result = CliRunner().invoke(app, ["contract", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == set(contract_files())
