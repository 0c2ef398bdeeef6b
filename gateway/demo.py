"""Demo accounts for `tuoyu up --demo` (DESIGN §7): created once, all with one password."""

from __future__ import annotations

import asyncio
import uuid

from gateway.domain.accounts import demo_accounts, hash_secret
from gateway.models import Account
from gateway.repository import AccountRepository
from shared.db import Database, utcnow


async def seed_demo_accounts(db: Database, password: str) -> int:
    """Create the demo accounts that do not exist yet; returns how many were created."""
    async with db.reading() as session:
        existing = await AccountRepository(session).existing_usernames()
    wanted = [a for a in demo_accounts() if a.username not in existing]
    if not wanted:
        return 0
    now = utcnow()
    # argon2 is deliberately slow (tens of ms and 64 MiB a hash): the demo accounts share one
    # password by definition, so they share one hash, made once and off the event loop.
    secret_hash = await asyncio.to_thread(hash_secret, password)
    async with db.transaction() as session:
        AccountRepository(session).add_all(
            [
                Account(
                    id=str(uuid.uuid4()),
                    username=a.username,
                    kind="person",
                    secret_hash=secret_hash,
                    display_name=a.display_name,
                    department=a.department,
                    region=a.region,
                    roles=list(a.roles),
                    disabled=False,
                    created_at=now,
                )
                for a in wanted
            ]
        )
    return len(wanted)
