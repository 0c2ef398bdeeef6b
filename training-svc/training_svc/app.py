"""队伍 training service: practitioners, certificates, courses, in-service hours, health checks."""

from __future__ import annotations

from fastapi import FastAPI

from shared.service import create_service_app
from shared.settings import Settings
from training_svc.api import health, practitioners, training
from training_svc.events import CONSUMERS
from training_svc.models import platform


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        "training",
        title="队伍 training-svc",
        description="The register of practitioners, their certificates, training and health checks.",
        routers=[practitioners.router, training.router, health.router],
        tables=platform,
        consumers=CONSUMERS,
        settings=settings,
    )
