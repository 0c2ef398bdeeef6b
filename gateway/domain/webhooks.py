"""Webhooks (事件推送) as rules over plain data: which events an endpoint gets, how a delivery is
signed and how a receiver checks it, when to retry and when to pause.

The signature (documented for receivers in README.md):
    signed   = f"{timestamp}.".encode() + body            # timestamp: the X-Tuoyu-Timestamp header
    expected = "v1=" + hex(HMAC-SHA256(secret, signed))     # compared with X-Tuoyu-Signature
A receiver rejects a request whose signature differs (forged or altered) or whose timestamp is more
than five minutes from its clock (a replay of an old request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.events.catalogue import CATALOGUE
from shared.regions import CITY
from shared.subscriptions import may_read, readable_types, region_covers

SIGNATURE_HEADER = "X-Tuoyu-Signature"
TIMESTAMP_HEADER = "X-Tuoyu-Timestamp"
TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float, tolerance_s: int = TOLERANCE_S) -> bool:
    """The receiver's check: the signature matches and the timestamp is fresh."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lowered[TIMESTAMP_HEADER.lower()])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), lowered.get(SIGNATURE_HEADER.lower(), ""))


@dataclass(frozen=True)
class Owner:
    """The bureau an endpoint belongs to: what it may read bounds what it gets."""

    department: str
    region: str


@dataclass(frozen=True)
class Filter:
    event_types: tuple[str, ...]  # empty: every type the bureau may read
    regions: tuple[str, ...]  # empty: every region the bureau covers


def refusals(owner: Owner, wanted: Filter) -> list[tuple[str, str, str, int]]:
    """What in a filter the bureau may not have, as (field, rule, message, status)."""
    problems = []
    if not readable_types(owner.department):
        problems.append(("event_types", "topic_permission", f"{owner.department} may read no topic", 403))
    for event_type in wanted.event_types:
        spec = CATALOGUE.get(event_type)
        if spec is None:
            problems.append(("event_types", "known_event_type", f"no event type {event_type} in the catalogue", 422))
        elif not may_read(owner.department, spec.topic):
            problems.append(("event_types", "topic_permission", f"{owner.department} may not read {spec.topic}", 403))
    for region in wanted.regions:
        if not region_covers(owner.region, region):
            problems.append(("regions", "own_region", f"an office of {owner.region} may not receive events of {region}", 403))
    return problems


@dataclass(frozen=True)
class Scope:
    """What an endpoint gets: its filter intersected with what its bureau may read."""

    event_types: frozenset[str]
    regions: frozenset[str] | None  # None: every region

    def wants(self, event_type: str, event_region: str) -> bool:
        return event_type in self.event_types and (self.regions is None or event_region in self.regions)


def scope(owner: Owner, wanted: Filter) -> Scope:
    readable = set(readable_types(owner.department))
    types = readable.intersection(wanted.event_types) if wanted.event_types else readable
    regions = {r for r in wanted.regions if region_covers(owner.region, r)} if wanted.regions else None
    if regions is None and owner.region != CITY:
        regions = {owner.region}
    return Scope(frozenset(types), None if regions is None else frozenset(regions))


def retry_delay_s(attempts: int, base_s: float, cap_s: float) -> float:
    """Exponential back-off after the `attempts`-th failure."""
    return min(cap_s, base_s * 2 ** max(0, attempts - 1))


def should_pause(failures_in_a_row: int, pause_after: int) -> bool:
    return failures_in_a_row >= pause_after


def target_refusal(url: str, private_allowed: bool) -> str | None:
    """Why a URL cannot be an endpoint, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "an http or https URL with a host"
    if parts.username or parts.password:
        return "no credentials in the URL (the signature authenticates the platform)"
    if private_allowed:
        return None
    host = parts.hostname
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "localhost is not a bureau's system" if host == "localhost" or host.endswith(".localhost") else None
    if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
        return "not a loopback, link-local or private address"
    return None


def failure_reason(failures_in_a_row: int, last_error: str) -> str:
    return f"连续 {failures_in_a_row} 次投递失败，已暂停（最后一次：{last_error}）。修复接收端后请恢复推送。"


# Endpoint secrets are kept sealed (AES-GCM, key derived from the suite's internal secret): the
# platform must be able to sign with them, so they cannot be hashed like passwords.
def _sealing_key(master: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tuoyu webhook secrets").derive(master.encode())


def seal(secret: str, master: str) -> str:
    nonce = os.urandom(12)
    return base64.urlsafe_b64encode(nonce + AESGCM(_sealing_key(master)).encrypt(nonce, secret.encode(), None)).decode()


def unseal(sealed: str, master: str) -> str:
    raw = base64.urlsafe_b64decode(sealed)
    return AESGCM(_sealing_key(master)).decrypt(raw[:12], raw[12:], None).decode()
