"""Structured logs: one JSON object a line, with the request id and the trace id, personal data masked."""

from __future__ import annotations

import json

import structlog
from opentelemetry.sdk.trace import TracerProvider

from shared.logging import configure_logging, mask_personal_data
from shared.requestid import bind_request_id
from shared.validators import mask_resident_id
from tests.factories import new_resident_id


def test_a_log_line_carries_request_and_trace_ids(capsys) -> None:  # type: ignore[no-untyped-def]
    configure_logging("INFO")
    bind_request_id("req-42")
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        structlog.get_logger("test").info("filing decided", phone="13812345678")
        trace_id = format(span.get_span_context().trace_id, "032x")
    line = json.loads(capsys.readouterr().err.splitlines()[-1])
    assert (line["request_id"], line["trace_id"], line["event"]) == ("req-42", trace_id, "filing decided")
    assert line["phone"] == "138****5678"


def test_identifiers_are_not_taken_for_phone_numbers() -> None:
    trace_id = "f1cf559e17214908797beec786edbb30"  # a real trace id once masked as holding 172-1490-8797
    assert mask_personal_data(f"trace {trace_id}") == f"trace {trace_id}"
    assert mask_personal_data("手机13812345678，请回电") == "手机138****5678，请回电"
    assert mask_personal_data("tel:+86-13812345678") == "tel:+86-138****5678"


def test_personal_data_is_masked_however_deep_it_sits(capsys) -> None:  # type: ignore[no-untyped-def]
    configure_logging("INFO")
    number = new_resident_id()
    structlog.get_logger("test").info("refused", body={"people": [{"id_number": number}], "phones": ("13812345678",)})
    written = capsys.readouterr().err
    assert number not in written and "13812345678" not in written
    line = json.loads(written.splitlines()[-1])
    assert line["body"] == {"people": [{"id_number": mask_resident_id(number)}], "phones": ["138****5678"]}


def test_an_id_number_glued_to_letters_is_masked() -> None:
    number = new_resident_id()
    masked = mask_resident_id(number)
    assert mask_personal_data(f"ID{number}") == f"ID{masked}"
    assert mask_personal_data(f"user_{number}abc") == f"user_{masked}abc"
    assert mask_personal_data(f"id={number.lower()}") == f"id={mask_resident_id(number.lower())}"
    assert mask_personal_data(f"身份证{number}号") == f"身份证{masked}号"
    mistyped = number[:17] + ("0" if number[17] != "0" else "1")  # a wrong check character, still personal data
    assert mask_personal_data(f"bad id {mistyped}") == f"bad id {mask_resident_id(mistyped)}"
    # eighteen digits inside a hex identifier, no valid ID number: left alone
    assert mask_personal_data("trace ab123456789012345678cd") == "trace ab123456789012345678cd"
    assert mask_personal_data("1234567890123456789") == "1234567890123456789"  # nineteen digits are no ID number
