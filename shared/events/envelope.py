"""The CloudEvents 1.0 envelope every event of the suite travels in (DESIGN §4).

Kafka key = `subject` (an institution's USCC or another aggregate key), so order per key holds.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    source: str = Field(description="producing service, e.g. `registration-svc`")
    type: str = Field(description="`tuoyu.<context>.<entity>.<verb>.v<N>`")
    subject: str = Field(description="the aggregate key: USCC or another entity key")
    time: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    datacontenttype: Literal["application/json"] = "application/json"
    region: str = Field(description="six-digit region code the event concerns")
    traceparent: str | None = None
    data: dict[str, Any]
    # the producer's evidence chain for this stream (see shared.chain), set when it is sequenced
    chainprev: str | None = None
    chainhash: str | None = None

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"))

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        return cls.model_validate_json(raw)
