"""The gateway: the front door for people and department systems (DESIGN §6–§7)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from gateway.api import auth, console, docs, profile, webhooks
from gateway.domain.ratelimit import TokenBuckets
from gateway.domain.throttle import FailedSignIns
from gateway.events import CONSUMERS
from gateway.models import platform
from gateway.proxy import ProxyMiddleware
from gateway.ratelimit import RateLimitMiddleware
from gateway.revocation import DisabledAccounts
from gateway.webhooks import send_webhooks
from services.catalogue import SERVICES, SUITE
from shared.auth import TokenIssuer
from shared.service import create_service_app
from shared.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    disabled = DisabledAccounts()
    app = create_service_app(
        "gateway",
        title="清远市托育服务协同平台 gateway",
        description="Tokens, routing to the services at /api/<context>/…, the web console.",
        routers=[auth.router, console.router, docs.router, profile.router, webhooks.router],
        docs=False,
        tables=platform,
        consumers=CONSUMERS,
        workers=[send_webhooks, disabled.follow],
        settings=settings,
    )
    app.mount("/static", console.static_files, name="static")
    app.state.issuer = TokenIssuer(
        settings.jwt_private_key, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_s=settings.access_token_ttl_s
    )
    app.state.suite_services = {s.name for s in SUITE}  # the gateway too: it reads the feeds for the webhooks
    app.state.upstreams = {s.name: settings.service_url(s.name) for s in SERVICES}
    app.state.rate_limits = TokenBuckets(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.disabled_accounts = disabled
    app.state.failed_sign_ins_by_account = FailedSignIns(limit=settings.sign_in_failures_per_account)
    app.state.failed_sign_ins_by_address = FailedSignIns(limit=settings.sign_in_failures_per_address)
    # Innermost of the middlewares, so a refusal still carries its X-Request-ID; the forward to the
    # services innermost of all, so every forwarded request was counted, traced and limited.
    app.user_middleware.append(Middleware(RateLimitMiddleware, buckets=app.state.rate_limits, verifier=app.state.verifier, disabled=disabled))
    app.user_middleware.append(Middleware(ProxyMiddleware, upstreams=app.state.upstreams))
    return app
