"""The bare baseline of a write: one FastAPI endpoint inserting a registration row, on the same
database layer as the suite (`shared.db.Database`: its engine settings and SQLite write queue),
with no gateway, token, audit, outbox or event.

Run as its own process, like each service: `uvicorn --factory bench.bare:create_app`, with the
database in `BENCH_BARE_DATABASE_URL` (the harness creates the table before starting it).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

from fastapi import FastAPI, status

from registration_svc.models import Registration
from registration_svc.schemas import RegistrationCreate
from shared.db import Database, utcnow


def create_app() -> FastAPI:
    db = Database(os.environ["BENCH_BARE_DATABASE_URL"])

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await db.dispose()

    app = FastAPI(title="bench: bare write", lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/registrations", status_code=status.HTTP_201_CREATED)
    async def register(body: RegistrationCreate) -> dict[str, str]:
        now = utcnow()
        values = body.model_dump()
        places = values.pop("places")
        row = Registration(
            id=str(uuid.uuid4()),
            **values,
            places_infant=places["infant"],
            places_toddler=places["toddler"],
            places_older_toddler=places["older_toddler"],
            status="active",
            version=1,
            created_at=now,
            created_by="bench",
            updated_at=now,
            updated_by="bench",
        )
        async with db.transaction() as session:
            session.add(row)
        return {"id": row.id, "uscc": row.uscc}

    return app
