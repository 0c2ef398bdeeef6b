"""Tokens: the gateway signs short-lived JWTs (Ed25519), every service verifies them itself.

A token carries who acts (`sub`), their department, the region of their office and their roles.
Services never trust identity headers; only a verified token. The algorithm is pinned, expiry,
issuer and audience are required.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from fastapi import Depends, Request

from shared.errors import Problem, forbidden
from shared.regions import covers

ALGORITHM = "EdDSA"
SERVICE_CLIENT_PREFIX = "svc-"


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request."""

    sub: str
    kind: str  # person | system | service
    department: str | None
    region: str
    roles: frozenset[str] = field(default_factory=frozenset)
    name: str = ""

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def covers(self, region: str) -> bool:
        """属地管理: a county office acts in its county, a city office city-wide."""
        return covers(self.region, region)

    @property
    def is_service(self) -> bool:
        return self.kind == "service"


class TokenIssuer:
    def __init__(self, private_pem: str, *, issuer: str, audience: str, ttl_s: int) -> None:
        if not private_pem:
            raise RuntimeError("TUOYU_JWT_PRIVATE_KEY is not set: the gateway cannot sign tokens")
        self._key = serialization.load_pem_private_key(private_pem.encode(), password=None)
        self.issuer, self.audience, self.ttl_s = issuer, audience, ttl_s

    def issue(self, principal: Principal, *, ttl_s: int | None = None) -> tuple[str, int]:
        """A signed token for `principal` and its lifetime in seconds."""
        ttl = ttl_s or self.ttl_s
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": principal.sub,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
            "kind": principal.kind,
            "dept": principal.department,
            "region": principal.region,
            "roles": sorted(principal.roles),
            "name": principal.name,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM), ttl


class TokenVerifier:
    LEEWAY_S = 5
    REMEMBERED = 4096

    def __init__(self, public_pem: str, *, issuer: str, audience: str) -> None:
        if not public_pem:
            raise RuntimeError("TUOYU_JWT_PUBLIC_KEY is not set: tokens cannot be verified")
        self._key = serialization.load_pem_public_key(public_pem.encode())
        self.issuer, self.audience = issuer, audience
        # Tokens already verified, with their expiry: a caller sends the same token with every
        # request, and the signature check is the dearest part of a read. Only the expiry can turn
        # a verified token invalid (access tokens are not revoked); the oldest entries go first.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def verify(self, token: str) -> Principal:
        if (known := self._verified.get(token)) is not None:
            principal, expires = known
            if expires > time.time() - self.LEEWAY_S:
                return principal
            del self._verified[token]
            raise unauthenticated("token expired")
        principal, expires = self._decode(token)
        self._verified[token] = (principal, expires)
        if len(self._verified) > self.REMEMBERED:
            self._verified.popitem(last=False)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
                leeway=self.LEEWAY_S,
            )
        except jwt.ExpiredSignatureError:
            raise unauthenticated("token expired") from None
        except jwt.InvalidTokenError as exc:
            raise unauthenticated(f"invalid token: {exc}") from None
        principal = Principal(
            sub=claims["sub"],
            kind=claims.get("kind", "person"),
            department=claims.get("dept"),
            region=claims.get("region", ""),
            roles=frozenset(claims.get("roles", [])),
            name=claims.get("name", ""),
        )
        return principal, float(claims["exp"])


def unauthenticated(detail: str) -> Problem:
    return Problem(401, "unauthenticated", "Authentication required", detail, headers={"WWW-Authenticate": "Bearer"})


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthenticated("send `Authorization: Bearer <token>` (from POST /auth/token at the gateway)")
    return token.strip()


# The dependencies are coroutines although they never wait: FastAPI runs a plain function in its
# thread pool, a hop between threads on every request for microseconds of work.
async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller; 401 problem+json otherwise."""
    verifier: TokenVerifier = request.app.state.verifier
    principal = verifier.verify(bearer_token(request))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str):  # type: ignore[no-untyped-def]
    """FastAPI dependency: the caller must hold one of `roles`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise forbidden(f"this needs one of the roles: {', '.join(roles)}")
        return principal

    return Depends(check)


def allow_departments(*departments: str):  # type: ignore[no-untyped-def]
    """FastAPI dependency: the caller's department has this duty (administrators always pass)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.department not in departments and not principal.has_role("admin"):
            raise forbidden(f"this is the work of {', '.join(departments)}")
        return principal

    return Depends(check)


class ClientToken:
    """A client-credentials token from the gateway, cached until shortly before it expires (and
    dropped after a 401): a service's own (`ServiceToken`), or a bureau's system account reading
    the feeds (`tuoyu subscribe`). `granted` is the gateway's last answer: roles, department, region."""

    def __init__(self, http: httpx.AsyncClient, gateway_url: str, client_id: str, secret: str) -> None:
        self._http, self._url = http, f"{gateway_url.rstrip('/')}/auth/token"
        self._client_id, self._secret = client_id, secret
        self.granted: dict[str, Any] = {}
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    async def header(self) -> dict[str, str]:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                response = await self._http.post(
                    self._url,
                    data={"grant_type": "client_credentials", "client_id": self._client_id, "client_secret": self._secret},
                )
                response.raise_for_status()
                self.granted = response.json()
                self._token = self.granted["access_token"]
                self._renew_at = time.monotonic() + max(self.granted.get("expires_in", 60) - 30, 5)
        return {"Authorization": f"Bearer {self._token}"}

    def forget(self) -> None:
        """Drop the cached token (after a 401, say)."""
        self._token = None


class ServiceToken(ClientToken):
    """A service's own token, for service-to-service calls such as reading another service's feed."""

    def __init__(self, http: httpx.AsyncClient, gateway_url: str, service: str, secret: str) -> None:
        super().__init__(http, gateway_url, f"{SERVICE_CLIENT_PREFIX}{service}", secret)
