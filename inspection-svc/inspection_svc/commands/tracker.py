"""The joint meeting's tracker (联席会议办公室, policy 四(一)): figures per county and for the city from
this service's event-fed read models and its own records, subsidy facts from the subsidy service's
events, targets the office edits, and the records behind every figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inspection_svc.domain import tracker as T
from inspection_svc.models import BudgetFact, PaymentFact, TrackerTarget, platform
from inspection_svc.repository import TrackerRepository
from inspection_svc.schemas import (
    TargetBody,
    TargetCreate,
    TargetRead,
    TargetRegionRead,
    TrackerIndicatorRead,
    TrackerRead,
    TrackerRecordsRead,
    TrackerRowRead,
    TrendPointRead,
    TrendRead,
)
from shared.audit import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_problem, forbidden, not_found
from shared.events.subsidy import BudgetSet, SubsidyBooked
from shared.regions import CITY, COUNTIES, REGIONS

OFFICE = "weijian"  # the joint meeting's office sits in the city health bureau (四(一))


# -- who sees what -----------------------------------------------------------------------------


def _groups(principal: Principal) -> tuple[str, ...]:
    groups = T.visible_groups(principal.department, principal.has_role("admin"))
    if not groups:
        raise forbidden("the tracker is for the departments of the joint meeting (联席会议成员单位)")
    return groups


def _county(principal: Principal, region: str | None) -> str | None:
    """The one county asked for (or the caller's own, for county staff); None for the whole city."""
    if region in (None, CITY):
        return None if principal.region == CITY else principal.region
    if region not in REGIONS:
        raise field_problem("region", "known_region", f"{region} is not a region of the city")
    if not principal.covers(region):
        raise forbidden(f"your office ({principal.region}) does not see region {region}")
    return region


def _indicator(key: str, groups: tuple[str, ...]) -> T.Indicator:
    indicator = T.BY_KEY.get(key)
    if indicator is None:
        raise field_problem("indicator", "known_indicator", f"one of {', '.join(T.BY_KEY)}")
    if indicator.group not in groups:
        raise forbidden(f"{indicator.title} is outside your department's duty")
    return indicator


def _year(year: int, today: dt.date) -> int:
    if year > today.year:
        raise field_problem("year", "not_in_future", f"the tracker shows {today.year} and earlier")
    return year


def _require_office(principal: Principal) -> None:
    if not (principal.department == OFFICE and principal.region == CITY) and not principal.has_role("admin"):
        raise forbidden("targets are set by the joint meeting's office (市卫生健康局)")


# -- figures -----------------------------------------------------------------------------------


async def _figures(repo: TrackerRepository, groups: tuple[str, ...], year: int, today: dt.date) -> tuple[dict, dict]:
    """(each county's figures, what is counted only city-wide), for the visible groups."""
    day = T.as_of(year, today)
    parts: list[dict[str, dict[str, Any]]] = []
    if "supply" in groups:
        parts.append(await repo.supply(day))
    if "inclusive" in groups:
        parts.append(await repo.inclusive(year, day))
    if "push" in groups:
        parts.append(await repo.push(dt.date(year, 1, 1), day))
    if "filing" in groups:
        parts.append(await repo.filing(today))
    if "inspection" in groups:
        drawn = await repo.drawn(year)
        parts.append(T.coverage(drawn, await repo.inspected({plan for plan, _, _ in drawn})))
    if "workforce" in groups:
        parts.append(await repo.workforce())
    if "subsidy" in groups:
        parts.append(await repo.subsidy(year))
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for region, figures in part.items():
            merged.setdefault(region, {}).update(figures)
    city_only = merged.pop(CITY, {})
    return merged, city_only


def _visible(figures: T.Figures, keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in figures.items() if k in keys}


async def tracker(session: AsyncSession, principal: Principal, year: int, today: dt.date) -> TrackerRead:
    groups = _groups(principal)
    county = _county(principal, None)
    indicators = T.visible_indicators(groups)
    keys = {i.key for i in indicators}
    by_county, city_only = await _figures(TrackerRepository(session, county), groups, _year(year, today), today)
    counties = [county] if county else list(COUNTIES)
    rows = {c: T.with_shares(by_county.get(c, {})) for c in counties}
    if county is None:
        rows[CITY] = T.city_total({c: by_county.get(c, {}) for c in counties}, city_only)
    targets = [
        _target_read(t, year, rows)
        for t in await TrackerRepository(session).targets()
        if t.indicator in keys and (county is None or t.scope == "each_county")
    ]
    return TrackerRead(
        year=year,
        as_of=T.as_of(year, today),
        groups=list(groups),
        indicators=[
            TrackerIndicatorRead(
                key=i.key, group=i.group, group_title=T.GROUPS[i.group], title=i.title, unit=i.unit, current=i.current,  # type: ignore[arg-type]
                records=f"/v1/tracker/records?year={year}&indicator={i.key}",
            )
            for i in indicators
        ],
        rows=[TrackerRowRead(region=r, name=REGIONS[r].name, figures=_visible(f, keys)) for r, f in rows.items()],
        targets=targets,
    )


def _rule(row: TrackerTarget) -> T.Target:
    return T.Target(row.code, row.title, row.clause, row.indicator, row.scope, row.threshold, row.from_year, row.due_year)


def _target_read(row: TrackerTarget, year: int | None = None, rows: dict[str, T.Figures] | None = None) -> TargetRead:
    read = TargetRead.model_validate({c: getattr(row, c) for c in TargetRead.model_fields if c not in ("status", "regions")})
    if year is not None and rows is not None:
        standing = T.standing(_rule(row), year, rows)
        read.status = standing.status  # type: ignore[assignment]
        read.regions = [TargetRegionRead(region=r, value=v, met=ok) for r, v, ok in standing.regions]
    return read


async def trend(session: AsyncSession, principal: Principal, year: int, region: str | None, today: dt.date) -> TrendRead:
    """Month by month through the year: institutions and places standing at each month's end,
    registrations and the share pushed in their month, and money paid so far."""
    groups = _groups(principal)
    county = _county(principal, region)
    last = T.as_of(_year(year, today), today)
    raw = await TrackerRepository(session, county).trend(dt.date(year, 1, 1), last)
    institutions, places = raw["base"][0]
    paid = 0
    points = []
    for month in range(1, last.month + 1):
        registered, ended = raw["registered"].get(month, (0, 0)), raw["ended"].get(month, (0, 0))
        institutions += registered[0] - ended[0]
        places += registered[1] - ended[1]
        pushed, same = raw["pushed"].get(month, (0, 0))
        paid += raw["paid"].get(month, (0,))[0]
        figures: dict[str, Any] = {}
        if "supply" in groups:
            figures.update(institutions=institutions, places=places)
        if "push" in groups:
            figures.update(registered=pushed, received_same_month=same, same_month_rate=T.share(same, pushed))
        if "subsidy" in groups:
            figures.update(paid_fen=paid)
        points.append(TrendPointRead(month=f"{year}-{month:02d}", figures=figures))
    return TrendRead(year=year, region=county or CITY, points=points)


# -- the records behind a figure ---------------------------------------------------------------


def _institution(row: Any, **extra: Any) -> dict[str, Any]:
    return {
        "uscc": row.uscc, "name": row.name, "county": row.county, "area": row.area, "places": row.places,
        "registered_on": row.registered_on.isoformat(), "status": row.status, "profile": f"/api/institutions/{row.uscc}", **extra,
    }


async def records(
    session: AsyncSession, principal: Principal, year: int, indicator: str, region: str | None, after: str | None, limit: int, today: dt.date
) -> TrackerRecordsRead:
    groups = _groups(principal)
    key = _indicator(indicator, groups).key
    county = _county(principal, region)
    repo = TrackerRepository(session, county)
    day = T.as_of(_year(year, today), today)
    items: list[dict[str, Any]]
    if key in ("institutions", "places", "institutions_urban", "places_urban", "institutions_rural", "places_rural"):
        area = key.rsplit("_", 1)[1] if "_" in key else None
        items = [_institution(r) for r in await repo.institutions(day, kind="institution", area=area, inclusive_year=None, after=after, limit=limit)]
    elif key == "kindergarten_places":
        items = [_institution(r) for r in await repo.institutions(day, kind="kindergarten_class", area=None, inclusive_year=None, after=after, limit=limit)]
    elif key in ("inclusive_institutions", "inclusive_places"):
        items = [_institution(r) for r in await repo.institutions(day, kind="institution", area=None, inclusive_year=year, after=after, limit=limit)]
    elif key in ("demonstration_sites", "demonstration_institutions", "inclusive_demonstrations"):
        items = [
            {"designation_id": d.id, "uscc": d.uscc, "name": d.name, "county": d.county, "year": d.year, "status": d.status,
             "decided_on": d.decided_on.isoformat(), "profile": f"/api/institutions/{d.uscc}"}
            for d in await repo.demonstrations(year, which=key, after=after, limit=limit)
        ]
    elif key in ("registered", "received_same_month", "same_month_rate"):
        same = True if key == "received_same_month" else None
        rows = await repo.registrations(dt.date(year, 1, 1), day, same_month=same, after=after, limit=limit)
        items = [_institution(r, kind=r.kind, received_at=r.received_at.isoformat(), same_month=r.same_month) for r in rows]
    elif key == "unfiled":
        items = [_institution(r) for r in await repo.unfiled(after, limit)]
    elif key in ("filings_pending", "filings_overdue"):
        rows = await repo.filings(today, overdue=key == "filings_overdue", after=after, limit=limit)
        items = [
            {"filing_id": f.id, "uscc": f.uscc, "name": f.name, "county": f.county, "submitted_on": f.submitted_on.isoformat(),
             "answer_due_on": f.answer_by.isoformat(), "href": f"/api/inspection/v1/filings/{f.id}"}
            for f in rows
        ]
    elif key in ("drawn", "inspected", "inspection_coverage"):
        drawn = await repo.drawn(year)
        done = await repo.inspected({plan for plan, _, _ in drawn})
        every = sorted(
            ({"key": f"{plan}:{uscc}", "plan_id": plan, "uscc": uscc, "county": c, "inspected": (plan, uscc) in done,
              "profile": f"/api/institutions/{uscc}"} for plan, uscc, c in drawn),
            key=lambda item: item["key"],
        )
        items = [i for i in every if (not after or i["key"] > after) and (key != "inspected" or i["inspected"])][:limit]
    elif key in ("required_carers", "certified_carers", "certified_carer_ratio"):
        items = [
            _institution(r, required_carers=r.required_carers or 0, certified_carers=n)
            for r, n in await repo.carers_by_institution(after, limit)
        ]
    elif key == "budget_fen":
        items = [
            {"key": f"{b.region}:{b.programme}:{b.level}", "programme": b.programme, "region": b.region, "level": b.level,
             "amount_fen": b.amount_fen, "set_at": b.set_at.isoformat()}
            for b in await repo.budgets(year)
        ]
        items = [i for i in items if not after or i["key"] > after][:limit]
    else:  # paid_fen, paid_share
        items = [
            {"entry_id": p.entry_id, "application_id": p.application_id, "programme": p.programme, "uscc": p.uscc, "county": p.county,
             "region": p.region, "level": p.level, "kind": p.kind, "amount_fen": p.amount_fen, "booked_on": p.booked_on.isoformat()}
            for p in await repo.payments(year, after, limit)
        ]
    last_key = next((items[-1][k] for k in ("key", "filing_id", "designation_id", "entry_id", "uscc") if items and k in items[-1]), None)
    return TrackerRecordsRead(year=year, indicator=key, region=county or CITY, items=items, next=last_key if len(items) == limit else None)


# -- targets (the office's data) ---------------------------------------------------------------


def _check_target(body: TargetBody) -> None:
    if body.indicator not in T.BY_KEY:
        raise field_problem("indicator", "known_indicator", f"one of {', '.join(T.BY_KEY)}")
    if body.due_year < body.from_year:
        raise field_problem("due_year", "not_before_from_year", "a target is due in or after the year it starts")
    if T.BY_KEY[body.indicator].unit == "share" and body.threshold > 100:
        raise field_problem("threshold", "percent", "a share is set in percent, 0–100")


async def list_targets(session: AsyncSession, principal: Principal) -> list[TargetRead]:
    keys = {i.key for i in T.visible_indicators(_groups(principal))}
    return [_target_read(t) for t in await TrackerRepository(session).targets() if t.indicator in keys]


async def create_target(session: AsyncSession, principal: Principal, body: TargetCreate) -> TargetRead:
    _require_office(principal)
    _check_target(body)
    repo = TrackerRepository(session)
    if await repo.target(body.code) is not None:
        raise Problem(409, "conflict", "Target exists", f"target {body.code} exists; PUT /v1/tracker/targets/{body.code} changes it")
    row = TrackerTarget(**body.model_dump(), version=1, updated_by=principal.sub, updated_at=utcnow())
    repo.add(row)
    await audit(session, platform, principal, "create", "tracker_target", body.code, after=body.model_dump())
    return _target_read(row)


async def update_target(session: AsyncSession, principal: Principal, code: str, body: TargetBody) -> TargetRead:
    _require_office(principal)
    _check_target(body)
    row = await TrackerRepository(session).target(code, for_update=True)
    if row is None:
        raise not_found("target", code)
    before = {k: getattr(row, k) for k in TargetBody.model_fields}
    for name, value in body.model_dump().items():
        setattr(row, name, value)
    row.version, row.updated_by, row.updated_at = row.version + 1, principal.sub, utcnow()
    await audit(session, platform, principal, "update", "tracker_target", code, before=before, after=body.model_dump())
    return _target_read(row)


async def delete_target(session: AsyncSession, principal: Principal, code: str) -> None:
    _require_office(principal)
    repo = TrackerRepository(session)
    row = await repo.target(code, for_update=True)
    if row is None:
        raise not_found("target", code)
    await audit(session, platform, principal, "delete", "tracker_target", code, before={k: getattr(row, k) for k in TargetBody.model_fields})
    await repo.delete(row)


# -- subsidy facts, from the subsidy service's events ------------------------------------------


async def budget_set(session: AsyncSession, data: BudgetSet) -> None:
    repo = TrackerRepository(session)
    row = await repo.budget_fact(data.programme, data.year, data.region, data.level)
    if row is None:
        repo.add(BudgetFact(**data.model_dump()))
    elif data.set_at > row.set_at:  # an older setting arriving late changes nothing
        row.amount_fen, row.set_at = data.amount_fen, data.set_at


async def subsidy_booked(session: AsyncSession, data: SubsidyBooked) -> None:
    repo = TrackerRepository(session)
    if await repo.payment_fact(data.entry_id) is None:  # an entry is booked once, whatever is redelivered
        repo.add(PaymentFact(**data.model_dump()))
