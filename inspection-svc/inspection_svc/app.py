"""监管 supervision service: the health bureau's inbox and 备案, 双随机 draws, inspections by
health, market supervision, police and fire, credit and public disclosure."""

from __future__ import annotations

from fastapi import FastAPI

from inspection_svc.api import (
    credit,
    designations,
    evaluations,
    exchange,
    filings,
    inbox,
    inspections,
    public,
    reports,
    supervision,
    tracker,
    unlicensed,
)
from inspection_svc.commands import credit as credit_cmd
from inspection_svc.commands import evaluations as evaluations_cmd
from inspection_svc.events import CONSUMERS
from inspection_svc.models import platform
from inspection_svc.repository import InboxRepository
from shared.service import Job, Runtime, create_service_app
from shared.settings import Settings
from shared.timeutil import month_of, month_span, today_in_china


async def same_month_push_rate(rt: Runtime) -> float:
    """Of this month's registrations received so far, the share received in the same month."""
    async with rt.db.reading() as session:
        return await InboxRepository(session).same_month_rate(month_span(month_of(today_in_china())))


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        "inspection",
        title="监管 inspection-svc",
        description="Health bureau inbox, filing, spot checks and inspections by four agencies, and the joint meeting's tracker.",
        routers=[
            inbox.router,
            reports.router,
            filings.router,
            supervision.router,
            inspections.router,
            credit.router,
            unlicensed.router,
            evaluations.router,
            designations.router,
            public.router,
            exchange.router,
            tracker.router,
        ],
        jobs=[Job("publish-evaluations", evaluations_cmd.publish_due), Job("refresh-credit", credit_cmd.refresh_all)],
        tables=platform,
        consumers=CONSUMERS,
        settings=settings,
        extra_metrics={"tuoyu_same_month_push_rate": ("share of this month's registrations received in the same month", same_month_push_rate)},
    )
