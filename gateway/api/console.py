"""The web console (`/`) and the public portal (`/public/`), static pages that use only the
gateway's APIs."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = files("gateway").joinpath("static")
router = APIRouter(include_in_schema=False)
static_files = StaticFiles(directory=str(STATIC))
_CONSOLE = STATIC.joinpath("index.html").read_text(encoding="utf-8")
_PORTAL = STATIC.joinpath("portal.html").read_text(encoding="utf-8")
# The pages load only their own scripts and styles, and talk only to this origin.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@router.get("/", response_class=HTMLResponse)
async def console() -> HTMLResponse:
    return HTMLResponse(_CONSOLE, headers=SECURITY_HEADERS)


@router.get("/public/", response_class=HTMLResponse)
async def portal() -> HTMLResponse:
    return HTMLResponse(_PORTAL, headers=SECURITY_HEADERS)
