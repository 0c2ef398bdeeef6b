"""`POST /auth/token`: OAuth2 password grant for people, client credentials for systems."""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request

from gateway.domain.accounts import hash_secret, secret_matches
from gateway.repository import AccountRepository
from gateway.schemas import TokenResponse
from shared.auth import SERVICE_CLIENT_PREFIX, Principal, TokenIssuer
from shared.errors import Problem
from shared.regions import CITY
from shared.service import ReadSession

router = APIRouter(tags=["auth"])

# Verified against when the account does not exist, so both answers take the same time.
_DUMMY_HASH = hash_secret("no such account")


def invalid_grant(detail: str) -> Problem:
    # RFC 6749 §5.2 names the error in `error`; the rest is problem+json like every other error.
    return Problem(400, "invalid-grant", "Invalid credentials", detail, error="invalid_grant")


@router.post("/auth/token", response_model=TokenResponse, summary="Get an access token")
async def issue_token(
    request: Request,
    session: ReadSession,
    grant_type: Annotated[str, Form(pattern="^(password|client_credentials)$")],
    username: Annotated[str | None, Form(max_length=80)] = None,
    password: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=80)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> TokenResponse:
    issuer: TokenIssuer = request.app.state.issuer
    settings = request.app.state.settings
    if grant_type == "password":
        name, secret, kind = username, password, "person"
    else:
        name, secret, kind = client_id, client_secret, "system"
    if not name or not secret:
        raise invalid_grant("username and password (or client_id and client_secret) are required")

    if kind == "system" and name.startswith(SERVICE_CLIENT_PREFIX):
        service = name.removeprefix(SERVICE_CLIENT_PREFIX)
        known = service in request.app.state.suite_services
        if not (known and settings.internal_secret and hmac.compare_digest(secret, settings.internal_secret)):
            raise invalid_grant("unknown client or wrong secret")
        principal = Principal(sub=name, kind="service", department=None, region=CITY, roles=frozenset({"service"}), name=service)
    else:
        account = await AccountRepository(session).by_username(name)
        ok = await asyncio.to_thread(secret_matches, account.secret_hash if account else _DUMMY_HASH, secret)
        if account is None or not ok or account.disabled or account.kind != kind:
            raise invalid_grant("unknown account or wrong password")
        principal = Principal(
            sub=account.username,
            kind=account.kind,
            department=account.department,
            region=account.region,
            roles=frozenset(account.roles),
            name=account.display_name,
        )
    token, ttl = issuer.issue(principal)
    return TokenResponse(
        access_token=token, expires_in=ttl, department=principal.department, region=principal.region, roles=sorted(principal.roles)
    )
