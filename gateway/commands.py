"""The gateway's writes: tokens (password, client credentials, refresh with rotation, revocation)
and accounts."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import secrets
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.accounts import REFRESH_TTL_DAYS, ROLES, hash_secret, secret_matches
from gateway.domain.tokens import new_refresh_token, token_hash
from gateway.domain.webhooks import Filter, Owner, refusals, scope, seal, target_refusal
from gateway.models import Account, RefreshToken, Webhook, platform
from gateway.repository import AccountRepository, RefreshTokenRepository, WebhookRepository
from gateway.schemas import (
    AccountCreate,
    AccountRead,
    DeliveryPage,
    DeliveryRead,
    EventTypeRead,
    PasswordChange,
    PasswordReset,
    ReplayCreate,
    ReplayRead,
    TokenResponse,
    WebhookBody,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
)
from shared.audit import audit
from shared.auth import SERVICE_CLIENT_PREFIX, Principal, TokenIssuer
from shared.db import WOKE_BY_COMMIT, utcnow
from shared.departments import DEPARTMENTS
from shared.errors import Problem, field_problem, forbidden, not_found
from shared.events.catalogue import CATALOGUE
from shared.regions import CITY, is_region
from shared.settings import Settings
from shared.subscriptions import readable_types
from shared.tables import PlatformTables
from shared.timeutil import CHINA

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
    await session.flush()
    read = AccountRead.model_validate(account)
    await audit(session, platform, principal, "create", "account", account.username, after=_account_public(read))  # DESIGN §6
    return read


def _account_public(read: AccountRead) -> dict:
    """What an account's audit record keeps: never its secret or the secret's hash."""
    return read.model_dump(include={"kind", "display_name", "department", "region", "roles", "disabled"})


async def _account(session: AsyncSession, username: str) -> Account:
    account = await AccountRepository(session).by_username(username, for_update=True)
    if account is None:
        raise not_found("account", username)
    return account


async def set_account_disabled(session: AsyncSession, principal: Principal, username: str, disabled: bool) -> AccountRead:
    """Disable (its sign-ins end: every refresh token revoked) or enable again; audited either way (DESIGN §6)."""
    _require_admin(principal)
    account = await _account(session, username)
    before = _account_public(AccountRead.model_validate(account))
    account.disabled = disabled
    if disabled:
        await RefreshTokenRepository(session).revoke_account(account.id, utcnow())
    read = AccountRead.model_validate(account)
    await audit(session, platform, principal, "disable" if disabled else "enable", "account", username, before=before, after=_account_public(read))
    return read


async def _set_password(session: AsyncSession, account: Account, password: str) -> None:
    account.secret_hash = await asyncio.to_thread(hash_secret, password)
    # A password changed ends every sign-in made with the old one (a thief's refresh token too).
    await RefreshTokenRepository(session).revoke_account(account.id, utcnow())


async def reset_password(session: AsyncSession, principal: Principal, username: str, body: PasswordReset) -> AccountRead:
    """An administrator sets a forgotten password (or a system's secret)."""
    _require_admin(principal)
    account = await _account(session, username)
    await _set_password(session, account, body.new_password)
    await audit(session, platform, principal, "reset_password", "account", username)  # who reset it, not to what
    return AccountRead.model_validate(account)


async def change_own_password(session: AsyncSession, principal: Principal, body: PasswordChange) -> AccountRead:
    """A person changes their own password, proving the old one."""
    if principal.kind != "person":
        raise forbidden("a system's secret is reset by an administrator")
    account = await _account(session, principal.sub)
    if account.disabled or not await asyncio.to_thread(secret_matches, account.secret_hash, body.old_password):
        raise field_problem("old_password", "current_password", "the old password is not this account's", slug="wrong-password")
    if body.new_password == body.old_password:
        raise field_problem("new_password", "differs_from_old", "the new password must differ from the old one")
    await _set_password(session, account, body.new_password)
    await audit(session, platform, principal, "change_password", "account", account.username)
    return AccountRead.model_validate(account)


# -- webhooks (事件推送): a bureau's endpoints --------------------------------------------------
WEBHOOK_ROLES = ("clerk", "admin", "subscriber")


def _webhook_owner(principal: Principal) -> tuple[str, str] | None:
    """Whose endpoints the caller manages: its own bureau's, or every bureau's for an administrator."""
    if principal.is_service or principal.department is None or not principal.has_role(*WEBHOOK_ROLES):
        raise forbidden("webhooks are managed by a bureau's own accounts")
    return None if principal.has_role("admin") else (principal.department, principal.region)


def receivable_event_types(principal: Principal) -> list[EventTypeRead]:
    _webhook_owner(principal)
    return [EventTypeRead(type=t, topic=CATALOGUE[t].topic, summary=CATALOGUE[t].summary) for t in readable_types(principal.department or "")]


def _check_filter(owner: Owner, body: WebhookBody, settings: Settings) -> None:
    if (why := target_refusal(body.url, settings.webhooks_may_target_private)) is not None:
        raise field_problem("url", "webhook_target", f"the endpoint must be {why}")
    problems = refusals(owner, Filter(tuple(body.event_types), tuple(body.regions)))
    if problems:
        status = max(p[3] for p in problems)  # a permission refused outranks a typo
        errors = [{"field": f, "rule": r, "message": m} for f, r, m, s in problems if s == status]
        raise Problem(status, "forbidden" if status == 403 else "validation", "Not allowed" if status == 403 else "Invalid filter",
                      "; ".join(e["message"] for e in errors), errors=errors)


def _webhook_read(hook: Webhook, pending: int = 0) -> WebhookRead:
    return WebhookRead.model_validate(hook).model_copy(update={"pending": pending})


async def list_webhooks(session: AsyncSession, principal: Principal, status: str | None, after: str | None, limit: int) -> WebhookPage:
    rows = await WebhookRepository(session, _webhook_owner(principal)).listed(status=status, after=after, limit=limit)
    return WebhookPage(items=[_webhook_read(h, n) for h, n in rows], next=rows[-1][0].id if len(rows) == limit else None)


async def _webhook(repo: WebhookRepository, webhook_id: str) -> Webhook:
    hook = await repo.get(webhook_id, for_update=True)
    if hook is None:
        raise not_found("webhook", webhook_id)
    return hook


async def create_webhook(session: AsyncSession, tables: PlatformTables, settings: Settings, principal: Principal, body: WebhookCreate) -> WebhookCreated:
    _webhook_owner(principal)
    _check_filter(Owner(principal.department or "", principal.region), body, settings)
    secret = body.secret or secrets.token_urlsafe(32)
    hook = Webhook(
        id=str(uuid.uuid4()), department=principal.department, region=principal.region, url=body.url,
        secret_sealed=seal(secret, settings.internal_secret), event_types=sorted(set(body.event_types)), regions=sorted(set(body.regions)),
        description=body.description, status="active", paused_reason=None, paused_at=None, failures_in_a_row=0, replays=0,
        created_by=principal.sub, created_at=utcnow(), version=1,
    )
    WebhookRepository(session).add(hook)
    await session.flush()
    await audit(session, tables, principal, "create", "webhook", hook.id, after=_public(hook))
    return WebhookCreated(**_webhook_read(hook).model_dump(), secret=secret)


def _public(hook: Webhook) -> dict:
    return {"url": hook.url, "event_types": hook.event_types, "regions": hook.regions, "status": hook.status, "description": hook.description}


async def update_webhook(
    session: AsyncSession, tables: PlatformTables, settings: Settings, principal: Principal, webhook_id: str, body: WebhookUpdate
) -> WebhookRead:
    hook = await _webhook(WebhookRepository(session, _webhook_owner(principal)), webhook_id)
    _check_filter(Owner(hook.department, hook.region), body, settings)  # judged against the owning bureau's permissions
    before = _public(hook)
    hook.url, hook.event_types, hook.regions, hook.description = body.url, sorted(set(body.event_types)), sorted(set(body.regions)), body.description
    if body.secret:
        hook.secret_sealed = seal(body.secret, settings.internal_secret)
    hook.version += 1
    await audit(session, tables, principal, "update", "webhook", hook.id, {"secret_changed": bool(body.secret)}, before=before, after=_public(hook))
    return _webhook_read(hook)


async def delete_webhook(session: AsyncSession, tables: PlatformTables, principal: Principal, webhook_id: str) -> None:
    repo = WebhookRepository(session, _webhook_owner(principal))
    hook = await _webhook(repo, webhook_id)
    await audit(session, tables, principal, "delete", "webhook", hook.id, before=_public(hook))
    await repo.delete(hook)


async def set_webhook_paused(session: AsyncSession, tables: PlatformTables, principal: Principal, webhook_id: str, paused: bool) -> WebhookRead:
    """Pause by hand, or resume (after a pause for failures: the bureau has fixed its receiver)."""
    repo = WebhookRepository(session, _webhook_owner(principal))
    hook = await _webhook(repo, webhook_id)
    before = _public(hook)
    now = utcnow()
    if paused:
        hook.status, hook.paused_reason, hook.paused_at = "paused", f"由 {principal.sub} 手动暂停", now
    else:
        hook.status, hook.paused_reason, hook.paused_at, hook.failures_in_a_row = "active", None, None, 0
        if (head := await repo.head(hook.id)) is not None:
            head.next_attempt_at = now  # try again at once, not after the last back-off
        session.info[WOKE_BY_COMMIT] = True
    hook.version += 1
    await audit(session, tables, principal, "pause" if paused else "resume", "webhook", hook.id, before=before, after=_public(hook))
    return _webhook_read(hook)


async def replay_webhook(session: AsyncSession, tables: PlatformTables, principal: Principal, webhook_id: str, body: ReplayCreate) -> ReplayRead:
    """Owe the endpoint again every kept event of its scope from a day on, with the same event ids."""
    if body.until is not None and body.until <= body.since:
        raise field_problem("until", "after_since", "until must be after since")
    repo = WebhookRepository(session, _webhook_owner(principal))
    hook = await _webhook(repo, webhook_id)
    hook.replays += 1
    start = dt.datetime.combine(body.since, dt.time(), CHINA)
    end = dt.datetime.combine(body.until, dt.time(), CHINA) if body.until else None
    count = await repo.owe(hook, scope(Owner(hook.department, hook.region), _filter(hook)), hook.replays, start, end, utcnow())
    session.info[WOKE_BY_COMMIT] = True
    await audit(session, tables, principal, "replay", "webhook", hook.id, {"since": body.since, "until": body.until, "round": hook.replays, "deliveries": count})
    return ReplayRead(round=hook.replays, deliveries=count)


def _filter(hook: Webhook) -> Filter:
    return Filter(tuple(hook.event_types), tuple(hook.regions))


async def webhook_deliveries(
    session: AsyncSession, principal: Principal, webhook_id: str, status: str | None, after: int | None, limit: int
) -> DeliveryPage:
    repo = WebhookRepository(session, _webhook_owner(principal))
    if await repo.get(webhook_id) is None:
        raise not_found("webhook", webhook_id)
    rows = await repo.deliveries(webhook_id, status=status, after=after, limit=limit)
    items = [DeliveryRead.model_validate(r).model_copy(update={"next_attempt_at": r.next_attempt_at if r.status == "pending" else None}) for r in rows]
    return DeliveryPage(items=items, next=rows[-1].seq if len(rows) == limit else None)
