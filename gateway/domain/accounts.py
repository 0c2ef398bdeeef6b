"""Account rules: password hashing (argon2id) and the demo accounts of DESIGN §7."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.departments import DEPARTMENTS
from shared.regions import CITY, REGIONS

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def secret_matches(secret_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    department: str
    region: str
    roles: tuple[str, ...]


def demo_accounts() -> list[DemoAccount]:
    """One account per department and region, `<department>-<region>`, plus a city admin."""
    accounts = [
        DemoAccount(f"{dept}-{code}", f"{region.name}{name}", dept, code, ("clerk",))
        for dept, name in DEPARTMENTS.items()
        for code, region in REGIONS.items()
    ]
    accounts.append(DemoAccount("admin", "平台管理员", "weijian", CITY, ("admin",)))
    return accounts


ROLES = ("clerk", "admin", "subscriber")  # services get `service` from the internal secret only
REFRESH_TTL_DAYS = 7
