"""structlog set up once per process: one JSON-ish line per event with the request id bound."""

from __future__ import annotations

import logging
import re
import sys

import orjson
import structlog

from shared.requestid import current_request_id
from shared.telemetry import current_trace_id
from shared.validators import resident_id_violation

# A resident ID number (18 characters) or a mobile number anywhere in a log line is masked, whatever
# logged it: personal data never reaches the logs (issue: workforce register). Eighteen characters
# not inside a longer run of digits are taken for an ID number, also when glued to letters
# ("ID110…", "user_110…"); glued to letters, only a valid number (GB 11643: birth date, check
# character) is, so that a run of digits inside a hex identifier (a trace id) is left alone.
_RESIDENT_ID = re.compile(r"(?<![0-9])([1-9][0-9]{2})[0-9]{11}([0-9]{3}[0-9Xx])(?![0-9])")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Bounded by what is not a letter or digit, as the resident ID is: a run of eleven digits inside a
# hex identifier (a trace id, say) is not a phone number.
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9A-Za-z])")


def _masked_id(match: re.Match[str]) -> str:
    text, (start, end) = match.string, match.span()
    glued = (start > 0 and text[start - 1] in _LETTERS) or (end < len(text) and text[end] in _LETTERS)
    if glued and resident_id_violation(match[0].upper()) is not None:
        return match[0]
    return f"{match[1]}***********{match[2]}"


def mask_personal_data(text: str) -> str:
    return _MOBILE.sub(r"\1****\2", _RESIDENT_ID.sub(_masked_id, text))


def _masked(value: object) -> object:
    """Strings masked however deep they sit in dicts, lists, tuples and sets."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(item) for item in value]
    return value


def _mask(_logger: object, _name: str, event: dict) -> dict:
    return {key: _masked(value) for key, value in event.items()}


class _MaskingFilter(logging.Filter):
    """The same masking for what the standard library's loggers write (uvicorn, SQLAlchemy …)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask_personal_data(record.getMessage()), ()
        return True


def _add_request_id(_logger: object, _name: str, event: dict) -> dict:
    rid = current_request_id()
    if rid and "request_id" not in event:
        event["request_id"] = rid
    if (trace_id := current_trace_id()) and "trace_id" not in event:
        event["trace_id"] = trace_id
    return event


def _json(event: dict, **_: object) -> str:
    return orjson.dumps(event, default=str).decode()  # Chinese stays readable, not \\u-escaped


class _CurrentStderr:
    """Whatever `sys.stderr` is when a line is written (tests and servers swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(stream=_CurrentStderr(), level=level, format="%(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _MaskingFilter) for f in handler.filters):
            handler.addFilter(_MaskingFilter())
    # One line per outgoing request is noise; their failures are logged where they are handled.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _add_request_id,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _mask,
            structlog.dev.ConsoleRenderer(colors=False) if sys.stderr.isatty() else structlog.processors.JSONRenderer(_json),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
