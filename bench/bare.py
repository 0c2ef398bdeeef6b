"""The bare baselines, each its own uvicorn process like a service
(`uvicorn --factory bench.bare:create_app`):

- with `BENCH_BARE_DATABASE_URL` set: one FastAPI endpoint inserting a registration row, on the
  same database layer as the suite (`shared.db.Database`: its engine settings and SQLite write
  queue), with no gateway, token, audit, outbox or event (the harness creates the table first);
- without it: FastAPI answering `/health` and nothing else, importing none of the suite — the
  floor a Python web process costs (memory, start-up).
"""

# No `from __future__ import annotations` here: the write endpoint's body model is imported
# inside `_add_write`, and FastAPI must see the class itself, not its name, to read the body.
import contextlib
import os
import uuid
from collections.abc import AsyncIterator

from fastapi import FastAPI, status


def create_app() -> FastAPI:
    url = os.environ.get("BENCH_BARE_DATABASE_URL")
    app = FastAPI(title="bench: bare")

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    if url:
        _add_write(app, url)
    return app


def _add_write(app: FastAPI, url: str) -> None:
    from registration_svc.models import Registration
    from registration_svc.schemas import RegistrationCreate
    from shared.db import Database, utcnow

    db = Database(url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await db.dispose()

    app.router.lifespan_context = lifespan

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
