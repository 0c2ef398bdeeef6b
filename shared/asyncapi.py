"""The published contract of the suite's topics (接口契约), generated from the event catalogue and the
table of readers (`shared.subscriptions`), never written by hand.

- `asyncapi_document()`: every topic as an AsyncAPI channel with the departments that may read it
  (`x-readers`) and the consumer-group convention, every event type as a message with its schema
  and one example (the gateway serves it at `/asyncapi.json`);
- `event_schema()`: one event type's envelope as a self-contained JSON Schema, for a bureau's own
  validator;
- `contract_files()`: all of it as files, which `tuoyu contract --out DIR` writes.
"""

from __future__ import annotations

from typing import Any

import orjson

from shared.departments import DEPARTMENTS
from shared.events.catalogue import CATALOGUE, TOPICS, dlq_topic, spec_of
from shared.events.envelope import Event
from shared.events.examples import EXAMPLES
from shared.subscriptions import GROUP, TOPIC_READERS

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
GROUP_CONVENTION = (
    "A bureau's consumer group is `<department>.<region>.<purpose>` (e.g. `gongan.441821.roster`): "
    "its department code and its office's six-digit region, then a purpose of its choosing."
)


def _message_name(event_type: str) -> str:
    return event_type.removeprefix("tuoyu.").replace(".", "_")


def _envelope_schema(event_type: str, data_schema: dict[str, Any]) -> dict[str, Any]:
    envelope = Event.model_json_schema()
    envelope["title"] = event_type
    envelope["properties"]["type"] = {"const": event_type, "type": "string"}
    envelope["properties"]["data"] = data_schema
    return envelope


def event_schema(event_type: str) -> dict[str, Any]:
    """The envelope of `event_type` with its data schema inlined: a JSON Schema standing on its own."""
    data = spec_of(event_type).data.model_json_schema()
    defs = data.pop("$defs", {})
    schema = {"$schema": JSON_SCHEMA_DIALECT, "$id": f"urn:tuoyu:event:{event_type}", **_envelope_schema(event_type, data)}
    return {**schema, "$defs": defs} if defs else schema


def _readers(topic: str) -> str:
    return ", ".join(f"{DEPARTMENTS[d]} ({d})" for d in TOPIC_READERS.get(topic, ()))


def asyncapi_document(servers: dict[str, str] | None = None) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, spec in CATALOGUE.items():
        name = _message_name(event_type)
        data_schema = spec.data.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(data_schema.pop("$defs", {}))
        schemas[spec.data.__name__] = data_schema
        example = EXAMPLES[event_type]
        messages[name] = {
            "name": event_type,
            "title": event_type,
            "summary": spec.summary,
            "contentType": "application/cloudevents+json",
            "headers": {
                "type": "object",
                "properties": {h: {"type": "string"} for h in ("ce_id", "ce_type", "ce_source", "traceparent")},
            },
            "bindings": {"kafka": {"key": {"type": "string", "description": "the event's subject (an institution's USCC, or another key)"}}},
            "payload": _envelope_schema(event_type, {"$ref": f"#/components/schemas/{spec.data.__name__}"}),
            "examples": [
                {
                    "name": name,
                    "headers": {"ce_id": str(example.id), "ce_type": event_type, "ce_source": example.source},
                    "payload": example.model_dump(mode="json"),
                }
            ],
        }
    channels: dict[str, Any] = {}
    for topic in TOPICS:
        names = [_message_name(t) for t, s in CATALOGUE.items() if s.topic == topic]
        channels[topic] = {
            "description": (
                f"One topic per entity stream; dead letters in {dlq_topic(topic)}. "
                f"Readers: {_readers(topic) or 'the suite only'} — a county office receives only its county's events "
                f"(the envelope's `region`). {GROUP_CONVENTION}"
            ),
            "x-readers": list(TOPIC_READERS.get(topic, ())),
            "subscribe": {
                "bindings": {"kafka": {"groupId": {"type": "string", "pattern": GROUP.pattern}}},
                "message": {"oneOf": [{"$ref": f"#/components/messages/{n}"} for n in names]},
            },
        }
    return {
        "asyncapi": "2.6.0",
        "info": {
            "title": "清远市托育服务协同平台 events",
            "version": "1.0.0",
            "description": (
                "CloudEvents 1.0 in JSON, Kafka key = subject. Each channel names the departments that may read it "
                "(`x-readers`); the same table grants the Kafka ACLs, filters a subscriber's feed and its webhooks. "
                f"{GROUP_CONVENTION} Each event type's schema stands on its own in `tuoyu contract --out DIR`."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {name: {"url": url, "protocol": "kafka"} for name, url in (servers or {}).items()},
        "channels": channels,
        "components": {"messages": messages, "schemas": schemas},
    }


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def contract_files() -> dict[str, bytes]:
    """file name → content: `asyncapi.json`, and per event type `<type>.schema.json` and `<type>.example.json`."""
    files = {"asyncapi.json": _json(asyncapi_document())}
    for event_type in CATALOGUE:
        files[f"{event_type}.schema.json"] = _json(event_schema(event_type))
        files[f"{event_type}.example.json"] = _json(EXAMPLES[event_type].model_dump(mode="json"))
    return files
