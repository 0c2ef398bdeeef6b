"""奖补 subsidy service: programmes, budgets, eligibility, approval and exactly-once payment."""

from __future__ import annotations

from fastapi import FastAPI

from shared.service import create_service_app
from shared.settings import Settings
from subsidy_svc.api import applications, certificates, institutions, public, reports
from subsidy_svc.events import CONSUMERS
from subsidy_svc.models import platform


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        "subsidy",
        title="奖补 subsidy-svc",
        description="Subsidy programmes, budgets, review, approval and disbursement (财政, 人社).",
        routers=[applications.router, institutions.router, certificates.router, public.router, reports.router],
        tables=platform,
        consumers=CONSUMERS,
        settings=settings,
    )
