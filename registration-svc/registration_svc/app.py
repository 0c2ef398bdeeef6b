"""登记 registration service: the registrars' records and the kindergarten 托班 ledger."""

from __future__ import annotations

from fastapi import FastAPI

from registration_svc.api import imports, kindergarten, registrations
from registration_svc.models import platform
from shared.service import create_service_app
from shared.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        "registration",
        title="登记 registration-svc",
        description="Registrations by 编办, 民政 and 市场监管, published to every bureau as events.",
        routers=[imports.router, registrations.router, kindergarten.router],
        tables=platform,
        settings=settings,
    )
