"""Every query of the gateway."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import Account


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_username(self, username: str) -> Account | None:
        result = await self.session.execute(sa.select(Account).where(Account.username == username))
        return result.scalar_one_or_none()

    async def existing_usernames(self) -> set[str]:
        return set((await self.session.execute(sa.select(Account.username))).scalars())

    def add_all(self, accounts: list[Account]) -> None:
        self.session.add_all(accounts)
