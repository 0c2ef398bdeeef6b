"""The health bureau's inbox: registrations as received, and the record of each reconciliation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.commands.common import require_health_bureau
from inspection_svc.domain.inbox import Arrival, received_same_month
from inspection_svc.domain.unlicensed import name_key
from inspection_svc.models import Reconciliation
from inspection_svc.repository import InboxRepository, ReconciliationRepository
from inspection_svc.schemas import ReconciliationRead
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import forbidden
from shared.inbox import CatchUp
from shared.regions import CITY


async def receive(session: AsyncSession, arrival: Arrival) -> bool:
    """Keep a registration as the health bureau received it. The first arrival fixes
    `received_at` and `same_month`; later ones update the record when they are newer. True when
    this arrival is the newest version the inbox has seen."""
    repo = InboxRepository(session)
    held = await repo.held_version(arrival.uscc)
    now = utcnow()
    fields = {
        "kind": arrival.kind,
        "name": arrival.name,
        "name_key": name_key(arrival.name),
        "nature": arrival.nature,
        "registrar": arrival.registrar,
        "registrar_region": arrival.registrar_region,
        "health_region": arrival.health_region,
        "county": arrival.county,
        "address": arrival.address,
        "registered_on": arrival.registered_on,
        "status": arrival.status,
        "ended_on": arrival.ended_on,
        "version": arrival.version,
        "places": arrival.places,
        "area": arrival.area,
        "required_carers": arrival.required_carers,
        "updated_at": now,
    }
    if held is None:
        await repo.insert({"uscc": arrival.uscc, "received_at": now, "same_month": received_same_month(arrival.registered_on, now), **fields})
        return True
    if arrival.version > held:
        await repo.update(arrival.uscc, fields)
        return True
    return arrival.version == held  # an older snapshot arriving late changes nothing


async def record_catch_up(session: AsyncSession, result: CatchUp, *, trigger: str, actor: str | None = None) -> Reconciliation:
    run = Reconciliation(
        trigger=trigger,
        actor=actor,
        started_at=result.started_at,
        finished_at=utcnow(),
        read=result.read,
        repaired=len(result.subjects),
        repaired_usccs=result.subjects,
    )
    ReconciliationRepository(session).add(run)
    await session.flush()
    return run


def require_reconciler(principal: Principal) -> None:
    """A reconciliation is one pass over the whole city's registration feed (it cannot be limited to
    a county), so the city health bureau (or an administrator) starts one; it also runs on a
    schedule. County bureaus read what it repaired for them (`reconciliations_seen_by`)."""
    require_health_bureau(principal)
    if principal.region != CITY and not principal.has_role("admin"):
        raise forbidden("a reconciliation covers the whole city: the city health bureau starts one (it also runs on a schedule)")


async def reconciliations_seen_by(session: AsyncSession, principal: Principal, limit: int) -> list[ReconciliationRead]:
    """The latest runs, each with only the repaired institutions the caller's office sees (属地管理)."""
    runs = [ReconciliationRead.model_validate(r) for r in await ReconciliationRepository(session).latest(limit)]
    if principal.region == CITY:
        return runs
    seen = await InboxRepository(session, principal).visible({u for r in runs for u in r.repaired_usccs})
    return [r.model_copy(update={"repaired_usccs": (mine := [u for u in r.repaired_usccs if u in seen]), "repaired": len(mine)}) for r in runs]
