"""`/api/webhooks`: a bureau's endpoints for events over HTTP (事件推送), their delivery log,
pause and resume, and replay from a day."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from gateway import commands
from gateway.models import platform
from gateway.schemas import (
    DeliveryPage,
    EventTypeRead,
    ReplayCreate,
    ReplayRead,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
)
from shared.auth import CurrentPrincipal
from shared.service import ReadSession, WriteSession

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])
WebhookId = Annotated[str, Path(max_length=36)]


# A page, as every list: a bureau's endpoints are few, but an administrator lists every bureau's.
@router.get("", response_model=WebhookPage, summary="The bureau's endpoints (an administrator's: every bureau's), with what each still owes and why one is paused")
async def list_webhooks(
    principal: CurrentPrincipal,
    session: ReadSession,
    status: Literal["active", "paused"] | None = None,
    after: Annotated[str | None, Query(max_length=36, description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WebhookPage:
    return await commands.list_webhooks(session, principal, status, after, limit)


@router.get("/event-types", response_model=list[EventTypeRead], summary="The event types the caller's bureau may receive")
async def event_types(principal: CurrentPrincipal) -> list[EventTypeRead]:
    return commands.receivable_event_types(principal)


@router.post("", status_code=201, response_model=WebhookCreated, summary="Register an endpoint, its secret and its filter")
async def create_webhook(
    body: WebhookCreate, principal: CurrentPrincipal, session: WriteSession, request: Request, response: Response
) -> WebhookCreated:
    # the secret is shown this once: kept by no cache, nor against an Idempotency-Key (shared.idempotency)
    response.headers["Cache-Control"] = "no-store"
    return await commands.create_webhook(session, platform, request.app.state.settings, principal, body)


@router.put("/{webhook_id}", response_model=WebhookRead, summary="Change the endpoint's URL, filter or secret")
async def update_webhook(webhook_id: WebhookId, body: WebhookUpdate, principal: CurrentPrincipal, session: WriteSession, request: Request) -> WebhookRead:
    return await commands.update_webhook(session, platform, request.app.state.settings, principal, webhook_id, body)


@router.delete("/{webhook_id}", status_code=204, summary="Remove the endpoint and what it was still owed")
async def delete_webhook(webhook_id: WebhookId, principal: CurrentPrincipal, session: WriteSession) -> Response:
    await commands.delete_webhook(session, platform, principal, webhook_id)
    return Response(status_code=204)


@router.post("/{webhook_id}/pause", response_model=WebhookRead, summary="Stop deliveries for now (they are kept)")
async def pause_webhook(webhook_id: WebhookId, principal: CurrentPrincipal, session: WriteSession) -> WebhookRead:
    return await commands.set_webhook_paused(session, platform, principal, webhook_id, paused=True)


@router.post("/{webhook_id}/resume", response_model=WebhookRead, summary="Deliver again, starting with what waited")
async def resume_webhook(webhook_id: WebhookId, principal: CurrentPrincipal, session: WriteSession) -> WebhookRead:
    return await commands.set_webhook_paused(session, platform, principal, webhook_id, paused=False)


@router.post("/{webhook_id}/replays", status_code=201, response_model=ReplayRead, summary="Deliver again every event of the filter from a day on (same event ids)")
async def replay_webhook(webhook_id: WebhookId, body: ReplayCreate, principal: CurrentPrincipal, session: WriteSession) -> ReplayRead:
    return await commands.replay_webhook(session, platform, principal, webhook_id, body)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage, summary="The delivery log, newest first, with every attempt")
async def deliveries(
    webhook_id: WebhookId,
    principal: CurrentPrincipal,
    session: ReadSession,
    status: Literal["pending", "delivered"] | None = None,
    after: Annotated[int | None, Query(ge=1, description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    return await commands.webhook_deliveries(session, principal, webhook_id, status, after, limit)
