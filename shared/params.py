"""Query parameters the services share, bounded so that no value reaches the database unchecked."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

OptionalYear = Annotated[int | None, Query(ge=2000, le=2100, description="a year")]
