"""structlog set up once per process: one JSON-ish line per event with the request id bound."""

from __future__ import annotations

import logging
import sys

import orjson
import structlog

from shared.requestid import current_request_id


def _add_request_id(_logger: object, _name: str, event: dict) -> dict:
    rid = current_request_id()
    if rid and "request_id" not in event:
        event["request_id"] = rid
    return event


def _json(event: dict, **_: object) -> str:
    return orjson.dumps(event, default=str).decode()  # Chinese stays readable, not \\u-escaped


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    # One line per outgoing request is noise; their failures are logged where they are handled.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _add_request_id,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=False) if sys.stderr.isatty() else structlog.processors.JSONRenderer(_json),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
