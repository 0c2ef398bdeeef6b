"""The web console's page (Chinese), served by the gateway and using only its APIs."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
_INDEX = files("gateway").joinpath("static/index.html").read_text(encoding="utf-8")


@router.get("/", response_class=HTMLResponse)
async def console() -> HTMLResponse:
    return HTMLResponse(_INDEX)
