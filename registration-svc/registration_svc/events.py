"""What the registration service publishes; it consumes nothing. Every event carries the record's
snapshot after the change (see `shared.events.registration`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from shared.events.catalogue import new_event, spec_of
from shared.events.envelope import Event

SOURCE = "registration-svc"


def snapshot_event(event_type: str, record: BaseModel, region: str, traceparent: str | None, **extra: Any) -> Event:
    """`event_type`'s data from the record's snapshot fields, plus what the type adds (`changed`,
    `reason`)."""
    schema = spec_of(event_type).data
    data = schema.model_validate({**record.model_dump(include=set(schema.model_fields)), **extra})
    subject = getattr(record, "uscc")
    return new_event(event_type, source=SOURCE, subject=subject, region=region, data=data, traceparent=traceparent)
