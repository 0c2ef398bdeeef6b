"""Request and response models of the gateway."""

from __future__ import annotations

from pydantic import BaseModel


class TokenResponse(BaseModel):
    """OAuth2 token response (RFC 6749 §5.1), with who the token speaks for."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    department: str | None
    region: str
    roles: list[str]
