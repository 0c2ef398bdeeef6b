"""`POST /auth/token` (OAuth2: password, client credentials, refresh token), `POST /auth/revoke`,
and account administration."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request

from gateway import commands
from gateway.repository import AccountRepository
from gateway.schemas import AccountCreate, AccountPage, AccountRead, PasswordChange, PasswordReset, TokenResponse
from shared.auth import CurrentPrincipal
from shared.errors import Problem, forbidden
from shared.service import ReadSession, ServiceRuntime, WriteSession

router = APIRouter(tags=["auth"])
Username = Annotated[str, Path(max_length=80)]


@asynccontextmanager
async def password_tried(request: Request, username: str) -> AsyncIterator[None]:
    """A password tried for `username`: refused while too many failed (for the account or from the
    address), and a refusal counted, so a password cannot be guessed by signing in or by changing it."""
    keys = (f"account:{username.lower()}", f"address:{request.client.host if request.client else '-'}")
    throttles = (request.app.state.failed_sign_ins_by_account, request.app.state.failed_sign_ins_by_address)
    now = time.monotonic()
    if wait := max(t.locked_for(k, now) for t, k in zip(throttles, keys, strict=True)):
        retry = str(max(1, math.ceil(wait)))
        raise Problem(429, "sign-in-locked", "Too many failed sign-ins", f"try again in {retry} s", headers={"Retry-After": retry})
    try:
        yield
    except Problem:
        for throttle, key in zip(throttles, keys, strict=True):
            throttle.failed(key, now)
        raise
    throttles[0].succeeded(keys[0])


@router.post("/auth/token", response_model=TokenResponse, summary="Get an access token")
async def issue_token(
    request: Request,
    rt: ServiceRuntime,
    grant_type: Annotated[str, Form(pattern="^(password|client_credentials|refresh_token)$")],
    username: Annotated[str | None, Form(max_length=80)] = None,
    password: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=80)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
) -> TokenResponse:
    issuer, settings = request.app.state.issuer, request.app.state.settings
    if grant_type == "password":
        if not username or not password:
            raise commands.invalid_grant("username and password are required")
        async with password_tried(request, username):
            async with rt.db.transaction() as session:
                return await commands.password_grant(session, issuer, username, password)
    if grant_type == "client_credentials":
        if not client_id or not client_secret:
            raise commands.invalid_grant("client_id and client_secret are required")
        async with rt.db.reading() as session:
            return await commands.client_credentials_grant(
                session, issuer, client_id, client_secret, settings.internal_secret, request.app.state.suite_services
            )
    if not refresh_token:
        raise commands.invalid_grant("refresh_token is required")
    try:
        async with rt.db.transaction() as session:
            return await commands.refresh_grant(session, issuer, refresh_token)
    except commands.TokenReuse as reuse:
        async with rt.db.transaction() as session:
            await commands.end_family(session, reuse.family)
        raise commands.invalid_grant("refresh token reused: every token of this sign-in is revoked") from None


@router.post("/auth/revoke", status_code=200, summary="Revoke a refresh token (RFC 7009: unknown tokens are fine too)")
async def revoke(session: WriteSession, token: Annotated[str, Form(max_length=200)]) -> dict[str, str]:
    await commands.revoke(session, token)
    return {}


@router.post("/auth/accounts", status_code=201, response_model=AccountRead, summary="Create a person's or a system's account")
async def create_account(body: AccountCreate, principal: CurrentPrincipal, session: WriteSession) -> AccountRead:
    return await commands.create_account(session, principal, body)


@router.get("/auth/accounts", response_model=AccountPage, summary="Accounts by username, a page at a time, by department and region")
async def list_accounts(
    principal: CurrentPrincipal,
    session: ReadSession,
    department: Annotated[str | None, Query(max_length=16)] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    after: Annotated[str | None, Query(max_length=80, description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AccountPage:
    if not principal.has_role("admin"):
        raise forbidden("accounts are managed by administrators")
    rows = await AccountRepository(session).page(department=department, region=region, after=after, limit=limit)
    return AccountPage(items=[AccountRead.model_validate(a) for a in rows], next=rows[-1].username if len(rows) == limit else None)


@router.post("/auth/accounts/{username}/disable", response_model=AccountRead, summary="Disable an account and revoke its refresh tokens")
async def disable(username: Username, principal: CurrentPrincipal, session: WriteSession, request: Request) -> AccountRead:
    read = await commands.set_account_disabled(session, principal, username, disabled=True)
    request.app.state.disabled_accounts.mark(username, True)  # refused here at once; other gateways within revocation.POLL_S
    return read


@router.post("/auth/accounts/{username}/enable", response_model=AccountRead, summary="Enable a disabled account again")
async def enable(username: Username, principal: CurrentPrincipal, session: WriteSession, request: Request) -> AccountRead:
    read = await commands.set_account_disabled(session, principal, username, disabled=False)
    request.app.state.disabled_accounts.mark(username, False)
    return read


@router.post("/auth/accounts/{username}/password", response_model=AccountRead, summary="An administrator sets a new password; the account's sign-ins end")
async def reset_password(username: Username, body: PasswordReset, principal: CurrentPrincipal, session: WriteSession) -> AccountRead:
    return await commands.reset_password(session, principal, username, body)


@router.post("/auth/password", response_model=AccountRead, summary="Change one's own password (the old one proven); every sign-in ends")
async def change_password(request: Request, body: PasswordChange, principal: CurrentPrincipal, rt: ServiceRuntime) -> AccountRead:
    async with password_tried(request, principal.sub):
        async with rt.db.transaction() as session:
            return await commands.change_own_password(session, principal, body)
