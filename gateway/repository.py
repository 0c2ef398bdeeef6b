"""Every query of the gateway."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.webhooks import Scope
from gateway.models import Account, RefreshToken, Webhook, WebhookDelivery, WebhookEvent
from shared.db import UTCDateTime, insert_rows, keyset_page


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_username(self, username: str, *, for_update: bool = False) -> Account | None:
        query = sa.select(Account).where(Account.username == username)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_id(self, account_id: str) -> Account | None:
        return await self.session.get(Account, account_id)

    async def disabled_usernames(self) -> set[str]:
        return set((await self.session.execute(sa.select(Account.username).where(Account.disabled.is_(True)))).scalars())

    async def existing_usernames(self) -> set[str]:
        return set((await self.session.execute(sa.select(Account.username))).scalars())

    async def page(self, *, department: str | None, region: str | None, after: str | None, limit: int) -> list[Account]:
        query = sa.select(Account)
        if department:
            query = query.where(Account.department == department)
        if region:
            query = query.where(Account.region == region)
        return await keyset_page(self.session, query, Account.username, after, limit)

    def add(self, account: Account) -> None:
        self.session.add(account)

    def add_all(self, accounts: list[Account]) -> None:
        self.session.add_all(accounts)


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, token: RefreshToken) -> None:
        self.session.add(token)

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        query = sa.select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def revoke_family(self, family: str, at: dt.datetime) -> None:
        await self.session.execute(
            sa.update(RefreshToken).where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None)).values(revoked_at=at)
        )

    async def revoke_account(self, account_id: str, at: dt.datetime) -> None:
        await self.session.execute(
            sa.update(RefreshToken).where(RefreshToken.account_id == account_id, RefreshToken.revoked_at.is_(None)).values(revoked_at=at)
        )


class WebhookRepository:
    """Endpoints scoped to their bureau (department and office); administrators see them all."""

    def __init__(self, session: AsyncSession, owner: tuple[str, str] | None = None) -> None:
        self.session = session
        self.owner = owner  # (department, region); None: every bureau's

    def add(self, row: object) -> None:
        self.session.add(row)

    async def get(self, webhook_id: str, *, for_update: bool = False) -> Webhook | None:
        query = sa.select(Webhook).where(Webhook.id == webhook_id)
        if self.owner is not None:
            query = query.where(Webhook.department == self.owner[0], Webhook.region == self.owner[1])
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def listed(self, *, status: str | None, after: str | None, limit: int) -> list[tuple[Webhook, int]]:
        """The endpoints, oldest first, with how many deliveries each still owes; a page from the one
        after `after` (an endpoint's id)."""
        pending = (
            sa.select(sa.func.count())
            .where(WebhookDelivery.webhook_id == Webhook.id, WebhookDelivery.status == "pending")
            .scalar_subquery()
        )
        query = sa.select(Webhook, pending).order_by(Webhook.created_at, Webhook.id).limit(limit)
        if self.owner is not None:
            query = query.where(Webhook.department == self.owner[0], Webhook.region == self.owner[1])
        if status is not None:
            query = query.where(Webhook.status == status)
        if after is not None:
            cursor = (await self.session.execute(sa.select(Webhook.created_at, Webhook.id).where(Webhook.id == after))).one_or_none()
            if cursor is None:
                return []  # deleted meanwhile: the list starts again from the client's first page
            query = query.where(sa.or_(Webhook.created_at > cursor.created_at, sa.and_(Webhook.created_at == cursor.created_at, Webhook.id > cursor.id)))
        return [(hook, count) for hook, count in (await self.session.execute(query)).all()]

    async def every(self) -> list[Webhook]:
        return list((await self.session.execute(sa.select(Webhook))).scalars())

    async def delete(self, hook: Webhook) -> None:
        await self.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
        await self.session.delete(hook)

    async def keep_events(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Keep events, in one insert, in their order; their seq (what deliveries point to) by event id."""
        kept = WebhookEvent.__table__
        query = sa.insert(kept).returning(kept.c.event_id, kept.c.seq, sort_by_parameter_order=True)
        return {event_id: seq for event_id, seq in (await self.session.execute(query, rows)).all()}

    async def owe_live(self, deliveries: list[dict[str, Any]]) -> None:
        """Queue events for endpoints (round 0), in one insert, in the order given."""
        await insert_rows(self.session, WebhookDelivery.__table__, deliveries)

    async def owe(self, hook: Webhook, scope: Scope, round_: int, since: dt.datetime, until: dt.datetime | None, now: dt.datetime) -> int:
        """Owe `hook` the kept events in `scope` from `since` again (a replay): one insert, in the database."""
        events = sa.select(
            sa.literal(hook.id), WebhookEvent.seq, WebhookEvent.event_id, WebhookEvent.type, sa.literal(round_), sa.literal("pending"),
            sa.literal(0), sa.literal(now, UTCDateTime), sa.literal([], sa.JSON), sa.literal(now, UTCDateTime),
        ).where(WebhookEvent.time >= since, WebhookEvent.type.in_(sorted(scope.event_types)))
        if until is not None:
            events = events.where(WebhookEvent.time < until)
        if scope.regions is not None:
            events = events.where(WebhookEvent.region.in_(sorted(scope.regions)))
        columns = ["webhook_id", "event_seq", "event_id", "event_type", "round", "status", "attempts", "next_attempt_at", "attempt_log", "created_at"]
        result = await self.session.execute(sa.insert(WebhookDelivery).from_select(columns, events.order_by(WebhookEvent.seq)))
        return result.rowcount or 0

    async def deliveries(self, webhook_id: str, *, status: str | None, after: int | None, limit: int) -> list[WebhookDelivery]:
        query = sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        if status:
            query = query.where(WebhookDelivery.status == status)
        if after is not None:
            query = query.where(WebhookDelivery.seq < after)
        return list((await self.session.execute(query.order_by(WebhookDelivery.seq.desc()).limit(limit))).scalars())

    async def queue_heads(self, per_hook: int, limit: int) -> list[tuple[WebhookDelivery, str, str, str]]:
        """The oldest pending deliveries of each active endpoint, in order, with the endpoint's URL and
        sealed secret and the event's body."""
        ranked = (
            sa.select(
                WebhookDelivery.seq,
                sa.func.row_number().over(partition_by=WebhookDelivery.webhook_id, order_by=WebhookDelivery.seq).label("place"),
            )
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(Webhook.status == "active", WebhookDelivery.status == "pending")
            .subquery()
        )
        query = (
            sa.select(WebhookDelivery, Webhook.url, Webhook.secret_sealed, WebhookEvent.payload)
            .join(ranked, ranked.c.seq == WebhookDelivery.seq)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .join(WebhookEvent, WebhookEvent.seq == WebhookDelivery.event_seq)
            .where(ranked.c.place <= per_hook)
            .order_by(WebhookDelivery.webhook_id, WebhookDelivery.seq)
            .limit(limit)
        )
        return [(d, url, secret, payload) for d, url, secret, payload in (await self.session.execute(query)).all()]

    async def claim(self, seqs: list[int], now: dt.datetime, until: dt.datetime) -> set[int]:
        """Take due deliveries for one sender: another replica finds them leased until `until`."""
        result = await self.session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.seq.in_(seqs), WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .values(next_attempt_at=until)
            .returning(WebhookDelivery.seq)
        )
        return set(result.scalars())

    async def locked_for_outcomes(self, webhook_ids: list[str], seqs: list[int]) -> tuple[dict[str, Webhook], dict[int, WebhookDelivery]]:
        """The endpoints and deliveries a round of sending will update, read at once and locked."""
        hooks = (await self.session.execute(sa.select(Webhook).where(Webhook.id.in_(webhook_ids)).with_for_update())).scalars()
        rows = (await self.session.execute(sa.select(WebhookDelivery).where(WebhookDelivery.seq.in_(seqs)).with_for_update())).scalars()
        return {h.id: h for h in hooks}, {d.seq: d for d in rows}

    async def release(self, seqs: list[int], now: dt.datetime) -> None:
        if seqs:
            await self.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.seq.in_(seqs)).values(next_attempt_at=now))

    async def next_due(self) -> dt.datetime | None:
        query = (
            sa.select(sa.func.min(WebhookDelivery.next_attempt_at))
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(Webhook.status == "active", WebhookDelivery.status == "pending")
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def head(self, webhook_id: str) -> WebhookDelivery | None:
        query = (
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending")
            .order_by(WebhookDelivery.seq)
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()
