"""The routers of the workforce service; lists are pages of `{"items", "next"}` (DESIGN §7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

Limit = Annotated[int, Query(ge=1, le=500)]
