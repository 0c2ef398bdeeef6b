"""监管 supervision service: the health bureau's inbox and 备案, 双随机 draws, inspections by
health, market supervision, police and fire, credit and public disclosure."""

from __future__ import annotations

from fastapi import FastAPI

from inspection_svc.api import filings, inbox, public, reports
from inspection_svc.events import CONSUMERS
from inspection_svc.models import platform
from shared.service import create_service_app
from shared.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        "inspection",
        title="监管 inspection-svc",
        description="Health bureau inbox, filing, spot checks and inspections by four agencies.",
        routers=[inbox.router, reports.router, filings.router, public.router],
        tables=platform,
        consumers=CONSUMERS,
        settings=settings,
    )
