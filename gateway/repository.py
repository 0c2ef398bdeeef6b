"""Every query of the gateway."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import Account, RefreshToken


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

    async def existing_usernames(self) -> set[str]:
        return set((await self.session.execute(sa.select(Account.username))).scalars())

    async def page(self, *, department: str | None, region: str | None, limit: int) -> list[Account]:
        query = sa.select(Account).order_by(Account.username).limit(limit)
        if department:
            query = query.where(Account.department == department)
        if region:
            query = query.where(Account.region == region)
        return list((await self.session.execute(query)).scalars())

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
