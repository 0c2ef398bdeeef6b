"""Rows written straight into the services' databases, shaped exactly as the services write them,
for the scenarios that need more data than the API could be fed in their time: a backlog of
registration events (catch-up) and 100,000 registrations with their inbox rows and subsidy
applications (reports)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from bench.load import Usccs, registration_body
from registration_svc.events import snapshot_event
from registration_svc.schemas import RegistrationRead
from shared.outbox import outbox_row
from shared.regions import CITY, COUNTIES
from shared.timeutil import CHINA
from subsidy_svc.domain.programmes import DEFAULT_PROGRAMMES

OFFICES = (CITY, *COUNTIES)
REGISTERED = "tuoyu.registration.institution.registered.v1"


def registrations(usccs: Usccs, count: int, days: list[dt.date], now: dt.datetime, rng: random.Random) -> list[dict[str, Any]]:
    """`count` registration rows (the `registration` table's columns), across the three
    registrars, every office and the given days."""
    rows = []
    for n in range(count):
        registrar = ("bianban", "minzheng", "shichang")[n % 3]
        office = OFFICES[rng.randrange(len(OFFICES))]
        county = office if office != CITY else COUNTIES[n % len(COUNTIES)]
        uscc = usccs.make(n, registrar, county)
        body = registration_body(uscc, county, registrar, days[n % len(days)].isoformat())
        body["registrar_region"] = office
        places = body.pop("places")
        rows.append(
            {
                **body,
                "registered_on": days[n % len(days)],
                "id": str(uuid.uuid4()),
                "places_infant": places["infant"],
                "places_toddler": places["toddler"],
                "places_older_toddler": places["older_toddler"],
                "status": "active",
                "deregistered_on": None,
                "deregistration_reason": None,
                "version": 1,
                "created_at": now,
                "created_by": "bench",
                "updated_at": now,
                "updated_by": "bench",
            }
        )
    return rows


def read_of(row: dict[str, Any]) -> RegistrationRead:
    places = {"infant": row["places_infant"], "toddler": row["places_toddler"], "older_toddler": row["places_older_toddler"]}
    return RegistrationRead.model_validate({**row, "places": places})


def outbox_rows(rows: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """The `registered` event of each registration, as `shared.outbox.record` writes it (the
    relay sequences and publishes them)."""
    return [outbox_row(snapshot_event(REGISTERED, read_of(row), row["county"], None), now) for row in rows]


def inbox_rows(rows: list[dict[str, Any]], rng: random.Random, late_share: float = 0.05) -> list[dict[str, Any]]:
    """The health bureau's inbox rows (`health_inbox`) of these registrations: most received in
    their registration month, some late; a few (1%) never received."""
    out = []
    for row in rows:
        if rng.random() < 0.01:
            continue
        late = rng.random() < late_share
        registered = row["registered_on"]
        received_on = registered + dt.timedelta(days=40 if late else 0)
        received_at = dt.datetime.combine(received_on, dt.time(10), CHINA).astimezone(dt.UTC)
        out.append(
            {
                "uscc": row["uscc"],
                "kind": "institution",
                "name": row["name"],
                "name_key": row["name"],
                "nature": row["nature"],
                "registrar": row["registrar"],
                "registrar_region": row["registrar_region"],
                "health_region": row["registrar_region"],
                "county": row["county"],
                "address": row["address"],
                "registered_on": registered,
                "received_at": received_at,
                "same_month": not late,
                "status": "active",
                "ended_on": None,
                "version": 1,
                "updated_at": received_at,
            }
        )
    return out


STATUSES = (("disbursed", 0.4), ("approved", 0.2), ("submitted", 0.2), ("reviewed", 0.1), ("rejected", 0.1))


def subsidy_rows(
    rows: list[dict[str, Any]], year: int, months: int, rng: random.Random, now: dt.datetime
) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """(applications, ledger entries, budget lines, approval lines): one application per
    registration in the year's first `months` months, approvals standing for the approved and
    disbursed ones, payments booked for the disbursed ones."""
    programmes = {p["code"]: p for p in DEFAULT_PROGRAMMES}
    codes = list(programmes)
    applications, ledger, approvals = [], [], []
    for n, row in enumerate(rows):
        programme = codes[n % len(codes)]
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        created = dt.date(year, 1 + n % months, 1 + n % 28)
        amount = rng.randrange(50_000, 5_000_000, 100)
        application_id = str(uuid.uuid4())
        applications.append(
            {
                "id": application_id,
                "programme": programme,
                "claim_key": row["uscc"],
                "year": year,
                "region": row["county"],
                "uscc": row["uscc"],
                "practitioner_id": None,
                "certificate_id": None,
                "amount_fen": amount,
                "lines": [{"region": row["county"], "level": "county", "amount_fen": amount}],
                "details": {},
                "origin": "applied",
                "programme_version": 1,
                "rules": programmes[programme]["rules"],
                "status": status,
                "approved_on": created if status in ("approved", "disbursed") else None,
                "eligibility": [],
                "created_on": created,
                "created_by": "bench",
                "reviewed_by": None,
                "approved_by": None,
                "disbursed_on": created if status == "disbursed" else None,
                "batch_id": None,
                "reason": None,
                "version": 1,
                "updated_at": now,
            }
        )
        if status in ("approved", "disbursed"):
            approvals.append(
                {"application_id": application_id, "region": row["county"], "level": "county", "programme": programme, "amount_fen": amount, "approved_on": created}
            )
        if status == "disbursed":
            ledger.append(
                {
                    "id": str(uuid.uuid4()),
                    "application_id": application_id,
                    "batch_id": None,
                    "kind": "payment",
                    "programme": programme,
                    "region": row["county"],
                    "level": "county",
                    "amount_fen": amount,
                    "booked_on": created,
                    "booked_by": "bench",
                }
            )
    budgets = [
        {
            "id": str(uuid.uuid4()),
            "programme": code,
            "year": year,
            "region": region,
            "level": level,
            "amount_fen": 10**13,
            "committed_fen": 0,
            "created_by": "bench",
            "updated_at": now,
        }
        for code in codes
        for region in OFFICES
        for level in ("city", "county")
    ]
    return applications, ledger, budgets, approvals
