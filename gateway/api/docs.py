"""`/docs` and `/openapi.json`: the OpenAPI of every service merged under `/api/<context>`, and
`/asyncapi.json` for the topics — both generated from the code, never written by hand."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from shared.asyncapi import asyncapi_document
from shared.service import ServiceRuntime

router = APIRouter(include_in_schema=False)


def _prefixed(spec: dict[str, Any], context: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A service's paths under `/api/<context>` and its schemas renamed `<context>__<name>`."""
    text = re.sub(r'"#/components/schemas/([^"]+)"', lambda m: f'"#/components/schemas/{context}__{m.group(1)}"', json.dumps(spec))
    renamed = json.loads(text)
    paths = {f"/api/{context}{path}": item for path, item in renamed.get("paths", {}).items()}
    for item in paths.values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation["tags"] = [f"{context}: {t}" for t in operation.get("tags", [context])]
                operation["operationId"] = f"{context}__{operation.get('operationId', '')}"
    schemas = {f"{context}__{name}": schema for name, schema in renamed.get("components", {}).get("schemas", {}).items()}
    return paths, schemas


@router.get("/openapi.json")
async def merged_openapi(request: Request, rt: ServiceRuntime) -> JSONResponse:
    own = request.app.openapi()
    upstreams: dict[str, str] = request.app.state.upstreams

    async def fetch(context: str, base: str) -> tuple[str, dict[str, Any] | None]:
        try:
            response = await rt.http.get(f"{base}/openapi.json", timeout=5.0)
            return context, response.json() if response.status_code == 200 else None
        except httpx.HTTPError:
            return context, None

    merged = {**own, "paths": dict(own.get("paths", {})), "components": {**own.get("components", {})}}
    merged["components"]["schemas"] = dict(own.get("components", {}).get("schemas", {}))
    unavailable = []
    for context, spec in await asyncio.gather(*(fetch(c, b) for c, b in upstreams.items())):
        if spec is None:
            unavailable.append(context)
            continue
        paths, schemas = _prefixed(spec, context)
        merged["paths"].update(paths)
        merged["components"]["schemas"].update(schemas)
    merged["info"] = {**own["info"], "x-unavailable": unavailable}
    merged["components"].setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    merged["security"] = [{"bearer": []}]
    for path, item in merged["paths"].items():
        if is_open(path):
            for operation in item.values():
                if isinstance(operation, dict):
                    operation["security"] = []  # no token asked: signing in, and what is published to everyone
    return JSONResponse(merged)


def is_open(path: str) -> bool:
    """Operations called without a token: the token endpoints (DESIGN §6) and the public portal's
    reads (信息公示, /v1/public/…)."""
    return path.startswith("/auth/token") or path == "/auth/revoke" or re.fullmatch(r"/api/[a-z]+/v1/public/.*", path) is not None


SWAGGER_UI = "/static/swagger-ui"  # swagger-ui-dist 5.35.0, served by the gateway itself: /docs works offline


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="清远市托育服务协同平台 API",
        swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
    )


@router.get("/asyncapi.json")
async def asyncapi(request: Request) -> JSONResponse:
    return JSONResponse(asyncapi_document({"kafka": request.app.state.settings.kafka_bootstrap}))
