"""RFC 9457 problem details, the one shape every error of the suite takes.

`type` is a stable URI per kind of problem (``urn:tuoyu:problem:<slug>``) that clients may switch
on; `errors` lists each offending field with the rule it breaks. A 500 is a bug: it is logged with
its request id and answered without internals.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from shared.requestid import current_request_id

PROBLEM_JSON = "application/problem+json"
# A database (or another dependency) that cannot be reached surfaces as one of these.
UNREACHABLE: tuple[type[Exception], ...] = (ConnectionError, TimeoutError, SQLAlchemyTimeoutError, InterfaceError)
log = structlog.get_logger("tuoyu.errors")

_HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "too-many-requests",
    502: "upstream-failed",
    503: "unavailable",
    504: "upstream-timeout",
}


def problem_type(slug: str) -> str:
    return f"urn:tuoyu:problem:{slug}"


class Problem(Exception):
    """An error a handler raises to answer with problem+json.

    `errors` holds ``{"field": ..., "rule": ..., "message": ...}`` items for field-level problems.
    """

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": problem_type(self.slug), "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extensions)
        body["request_id"] = current_request_id()
        return body


def field_problem(field: str, rule: str, message: str, *, status: int = 422, slug: str = "validation") -> Problem:
    """One field breaking one rule: the most common 4xx."""
    return Problem(status, slug, message, message, errors=[{"field": field, "rule": rule, "message": message}])


def not_found(what: str, key: str) -> Problem:
    return Problem(404, "not-found", f"{what} not found", f"no {what} with key {key}")


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", "Forbidden", detail)


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    return JSONResponse(
        problem.body(str(request.url.path) if request else None),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


async def send_problem(problem: Problem, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer with `problem` from ASGI middleware, as a route's handler would."""
    await problem_response(problem, Request(scope))(scope, receive, send)


def _loc_to_field(loc: tuple[Any, ...]) -> str:
    # ("body", "places", "infant") -> "places.infant"; keep query/path/header names as they are
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _loc_to_field(tuple(e.get("loc", ()))), "rule": e.get("type", "invalid"), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(Problem(422, "validation", "Request is not valid", summary, errors=errors), request)

    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = _HTTP_SLUGS.get(exc.status_code, "http-error")
        title = str(exc.detail) if exc.detail else slug
        return problem_response(Problem(exc.status_code, slug, title, headers=dict(exc.headers or {})), request)

    async def on_integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Two writers raced for the same unique thing; the loser's transaction was rolled back.
        log.info("integrity conflict", error=str(exc.orig)[:200], path=request.url.path)
        return problem_response(
            Problem(409, "conflict", "Conflicting change", "another change to the same record came first; reload and retry"),
            request,
        )

    async def on_data_refused(request: Request, exc: DataError) -> JSONResponse:
        # A value the database will not store (out of range, wrong encoding): the client's input.
        return problem_response(Problem(422, "validation", "Value not accepted", str(exc.orig).splitlines()[0][:200]), request)

    async def on_database_down(request: Request, exc: DBAPIError) -> JSONResponse:
        # The database is unreachable or refused the connection: the transaction was rolled back,
        # so nothing is half written; the client may retry.
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            log.warning("database unavailable", error=str(exc.orig)[:200], path=request.url.path)
            return problem_response(
                Problem(503, "unavailable", "Database unavailable", "try again shortly", headers={"Retry-After": "2"}),
                request,
            )
        return await on_unexpected(request, exc)

    async def on_connection_lost(request: Request, exc: Exception) -> JSONResponse:
        # The database could not be reached at all (refused, reset, timed out, pool exhausted):
        # nothing was written; the client may retry.
        log.warning("dependency unreachable", error=repr(exc)[:200], path=request.url.path)
        return problem_response(Problem(503, "unavailable", "Service unavailable", "try again shortly", headers={"Retry-After": "2"}), request)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem_response(Problem(500, "internal", "Internal error", "the error was logged"), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(DataError, on_data_refused)
    app.add_exception_handler(DBAPIError, on_database_down)
    for unreachable in UNREACHABLE:
        app.add_exception_handler(unreachable, on_connection_lost)
    app.add_exception_handler(Exception, on_unexpected)
