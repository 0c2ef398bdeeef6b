"""The gateway's writes: tokens (password, client credentials, refresh with rotation, revocation)
and accounts."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.accounts import REFRESH_TTL_DAYS, ROLES, hash_secret, secret_matches
from gateway.domain.tokens import new_refresh_token, token_hash
from gateway.models import Account, RefreshToken
from gateway.repository import AccountRepository, RefreshTokenRepository
from gateway.schemas import AccountCreate, AccountRead, TokenResponse
from shared.auth import SERVICE_CLIENT_PREFIX, Principal, TokenIssuer
from shared.db import utcnow
from shared.departments import DEPARTMENTS
from shared.errors import Problem, field_problem, forbidden, not_found
from shared.regions import CITY, is_region

# Verified against when the account does not exist, so both answers take the same time.
_DUMMY_HASH = hash_secret("no such account")


class TokenReuse(Exception):
    """A refresh token that was already rotated came back: its family must end."""

    def __init__(self, family: str) -> None:
        super().__init__(family)
        self.family = family


async def end_family(session: AsyncSession, family: str) -> None:
    await RefreshTokenRepository(session).revoke_family(family, utcnow())


def invalid_grant(detail: str) -> Problem:
    # RFC 6749 §5.2 names the error in `error`; the rest is problem+json like every other error.
    return Problem(400, "invalid-grant", "Invalid credentials", detail, error="invalid_grant")


def principal_of(account: Account) -> Principal:
    return Principal(
        sub=account.username,
        kind=account.kind,
        department=account.department,
        region=account.region,
        roles=frozenset(account.roles),
        name=account.display_name,
    )


def _response(issuer: TokenIssuer, principal: Principal, refresh: str | None = None) -> TokenResponse:
    token, ttl = issuer.issue(principal)
    return TokenResponse(
        access_token=token,
        expires_in=ttl,
        refresh_token=refresh,
        department=principal.department,
        region=principal.region,
        roles=sorted(principal.roles),
    )


async def _new_refresh(session: AsyncSession, account: Account, family: str | None = None) -> tuple[str, RefreshToken]:
    token = new_refresh_token()
    now = utcnow()
    row = RefreshToken(
        id=str(uuid.uuid4()),
        token_hash=token_hash(token),
        family=family or str(uuid.uuid4()),
        account_id=account.id,
        expires_at=now + dt.timedelta(days=REFRESH_TTL_DAYS),
        created_at=now,
    )
    RefreshTokenRepository(session).add(row)
    return token, row


async def password_grant(session: AsyncSession, issuer: TokenIssuer, username: str, password: str) -> TokenResponse:
    account = await AccountRepository(session).by_username(username)
    ok = await asyncio.to_thread(secret_matches, account.secret_hash if account else _DUMMY_HASH, password)
    if account is None or not ok or account.disabled or account.kind != "person":
        raise invalid_grant("unknown account or wrong password")
    refresh, _ = await _new_refresh(session, account)
    return _response(issuer, principal_of(account), refresh)


async def client_credentials_grant(
    session: AsyncSession, issuer: TokenIssuer, client_id: str, secret: str, internal_secret: str, services: set[str]
) -> TokenResponse:
    if client_id.startswith(SERVICE_CLIENT_PREFIX):
        service = client_id.removeprefix(SERVICE_CLIENT_PREFIX)
        if not (service in services and internal_secret and hmac.compare_digest(secret, internal_secret)):
            raise invalid_grant("unknown client or wrong secret")
        return _response(issuer, Principal(sub=client_id, kind="service", department=None, region=CITY, roles=frozenset({"service"}), name=service))
    account = await AccountRepository(session).by_username(client_id)
    ok = await asyncio.to_thread(secret_matches, account.secret_hash if account else _DUMMY_HASH, secret)
    if account is None or not ok or account.disabled or account.kind != "system":
        raise invalid_grant("unknown client or wrong secret")
    return _response(issuer, principal_of(account))  # systems get no refresh token: they hold their secret


async def refresh_grant(session: AsyncSession, issuer: TokenIssuer, refresh_token: str) -> TokenResponse:
    repo = RefreshTokenRepository(session)
    row = await repo.by_hash(token_hash(refresh_token))
    now = utcnow()
    if row is None or row.expires_at < now:
        raise invalid_grant("unknown or expired refresh token")
    if row.revoked_at is not None:
        if row.replaced_by is not None:  # a rotated token used again: it was copied — end the family
            raise TokenReuse(row.family)
        raise invalid_grant("refresh token revoked")
    account = await AccountRepository(session).by_id(row.account_id)
    if account is None or account.disabled:
        raise invalid_grant("account disabled")
    token, new_row = await _new_refresh(session, account, row.family)
    row.revoked_at, row.replaced_by = now, new_row.id
    return _response(issuer, principal_of(account), token)


async def revoke(session: AsyncSession, token: str) -> None:
    """RFC 7009: revoke a refresh token (and what was rotated from it); unknown tokens are fine."""
    row = await RefreshTokenRepository(session).by_hash(token_hash(token))
    if row is not None:
        await end_family(session, row.family)


def _require_admin(principal: Principal) -> None:
    if not principal.has_role("admin"):
        raise forbidden("accounts are managed by administrators")


async def create_account(session: AsyncSession, principal: Principal, body: AccountCreate) -> AccountRead:
    _require_admin(principal)
    if body.department not in DEPARTMENTS:
        raise field_problem("department", "known_department", f"one of {', '.join(DEPARTMENTS)}")
    if not is_region(body.region):
        raise field_problem("region", "region_of_qingyuan", f"{body.region} is not a Qingyuan region")
    if unknown := sorted(set(body.roles) - set(ROLES)):
        raise field_problem("roles", "known_role", f"unknown roles: {', '.join(unknown)}")
    repo = AccountRepository(session)
    if await repo.by_username(body.username):
        raise Problem(409, "account-exists", "Account exists", f"{body.username} is taken")
    account = Account(
        id=str(uuid.uuid4()),
        username=body.username,
        kind=body.kind,
        secret_hash=await asyncio.to_thread(hash_secret, body.secret),
        display_name=body.display_name,
        department=body.department,
        region=body.region,
        roles=body.roles,
        disabled=False,
        created_at=utcnow(),
    )
    repo.add(account)
    return AccountRead.model_validate(account)


async def disable_account(session: AsyncSession, principal: Principal, username: str) -> AccountRead:
    _require_admin(principal)
    account = await AccountRepository(session).by_username(username, for_update=True)
    if account is None:
        raise not_found("account", username)
    account.disabled = True
    await RefreshTokenRepository(session).revoke_account(account.id, utcnow())
    return AccountRead.model_validate(account)
