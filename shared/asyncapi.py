"""The AsyncAPI document of the suite's topics, generated from the event catalogue."""

from __future__ import annotations

from typing import Any

from shared.events.catalogue import CATALOGUE, TOPICS, dlq_topic
from shared.events.envelope import Event


def _message_name(event_type: str) -> str:
    return event_type.removeprefix("tuoyu.").replace(".", "_")


def asyncapi_document(servers: dict[str, str] | None = None) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, spec in CATALOGUE.items():
        name = _message_name(event_type)
        data_schema = spec.data.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(data_schema.pop("$defs", {}))
        schemas[spec.data.__name__] = data_schema
        envelope = Event.model_json_schema()
        envelope["properties"]["type"] = {"const": event_type, "type": "string"}
        envelope["properties"]["data"] = {"$ref": f"#/components/schemas/{spec.data.__name__}"}
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
            "payload": envelope,
        }
    channels: dict[str, Any] = {}
    for topic in TOPICS:
        names = [_message_name(t) for t, s in CATALOGUE.items() if s.topic == topic]
        channels[topic] = {
            "description": f"one topic per entity stream; dead letters in {dlq_topic(topic)}",
            "subscribe": {"message": {"oneOf": [{"$ref": f"#/components/messages/{n}"} for n in names]}},
        }
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "清远市托育服务协同平台 events", "version": "1.0.0"},
        "defaultContentType": "application/cloudevents+json",
        "servers": {name: {"url": url, "protocol": "kafka"} for name, url in (servers or {}).items()},
        "channels": channels,
        "components": {"messages": messages, "schemas": schemas},
    }


