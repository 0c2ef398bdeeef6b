"""`GET /api/institutions/{uscc}`: one institution from all four services, fetched at once with
the caller's own token; what a service refuses the caller is marked forbidden, and when a service is
down the profile still answers, marked partial."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Path, Request

from shared.auth import CurrentPrincipal
from shared.errors import not_found
from shared.requestid import current_request_id
from shared.service import ServiceRuntime
from shared.validators import USCC_CHARSET

router = APIRouter(tags=["profile"])

# section → (service, path); `{uscc}` is filled in
SECTIONS: dict[str, tuple[str, str]] = {
    "registration": ("registration", "/v1/registrations/{uscc}"),
    "credit": ("inspection", "/v1/credit/{uscc}"),
    "inspections": ("inspection", "/v1/inspections?uscc={uscc}&limit=50"),
    "filings": ("inspection", "/v1/filings?uscc={uscc}"),
    "staffing": ("training", "/v1/compliance?uscc={uscc}"),
    "subsidy_facts": ("subsidy", "/v1/institutions/{uscc}"),
    "applications": ("subsidy", "/v1/applications?uscc={uscc}"),
}


async def _section(http: httpx.AsyncClient, base: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    try:
        response = await http.get(f"{base}{path}", headers=headers, timeout=5.0)
    except httpx.HTTPError as exc:
        return {"status": "unavailable", "error": type(exc).__name__}
    if response.status_code == 200:
        return {"status": "ok", "data": response.json()}
    if response.status_code in (401, 403):
        return {"status": "forbidden"}
    if response.status_code == 404:
        return {"status": "not_found"}
    return {"status": "unavailable", "error": f"HTTP {response.status_code}"}


@router.get("/api/institutions/{uscc}", summary="One institution's profile from every service")
async def profile(
    uscc: Annotated[str, Path(pattern=f"^[{USCC_CHARSET}]{{18}}$")], principal: CurrentPrincipal, request: Request, rt: ServiceRuntime
) -> dict[str, Any]:
    headers = {"Authorization": request.headers["authorization"], "X-Request-ID": current_request_id() or ""}
    if tp := request.headers.get("traceparent"):
        headers["traceparent"] = tp
    upstreams = request.app.state.upstreams
    names = list(SECTIONS)
    results = await asyncio.gather(
        *(_section(rt.http, upstreams[service], path.format(uscc=uscc), headers) for service, path in SECTIONS.values())
    )
    sections = dict(zip(names, results, strict=True))
    if sections["registration"]["status"] == "not_found":  # the registry is the anchor (and it is scoped)
        raise not_found("institution", uscc)
    unavailable = sorted({SECTIONS[n][0] for n, s in sections.items() if s["status"] == "unavailable"})
    return {"uscc": uscc, "partial": bool(unavailable), "unavailable": unavailable, "sections": sections}
