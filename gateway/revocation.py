"""Disabled accounts refused at the gateway at once, not when their access token expires (DESIGN §6:
tokens are short-lived and not revoked one by one). Every gateway keeps the set of disabled accounts:
the one that disables an account adds it at once, and each reads the set from the database every
`POLL_S`, so another gateway (or a change made outside the API) takes effect within that. A service
called directly still accepts such a token until it expires (`access_token_ttl_s`)."""

from __future__ import annotations

import asyncio

import structlog

from gateway.repository import AccountRepository
from shared.service import Runtime

POLL_S = 2.0
log = structlog.get_logger("tuoyu.gateway.revocation")


class DisabledAccounts:
    def __init__(self) -> None:
        self._usernames: frozenset[str] = frozenset()

    def __contains__(self, username: str) -> bool:
        return username in self._usernames

    def mark(self, username: str, disabled: bool) -> None:
        self._usernames = self._usernames | {username} if disabled else self._usernames - {username}

    def replace(self, usernames: set[str]) -> None:
        self._usernames = frozenset(usernames)

    async def follow(self, rt: Runtime) -> None:
        """The worker: the set as the database has it, every POLL_S."""
        while True:
            try:
                async with rt.db.reading() as session:
                    self.replace(await AccountRepository(session).disabled_usernames())
            except Exception as exc:  # noqa: BLE001 - the database may be away for a while; keep the last set
                log.warning("reading the disabled accounts failed", error=repr(exc)[:300])
            await asyncio.sleep(POLL_S)
