"""Registration rules (登记, policy 三(三)1; DESIGN §5) as plain functions over plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from shared.regions import CITY, covers, is_county, is_region
from shared.validators import uscc_violation

# Before it no registrar of these departments existed: an earlier registered_on is a slip of the
# keyboard (an institution registered before 2019's 国办发〔2019〕15号 under another name is still
# imported from a bureau's list, hence not 2019).
EARLIEST_REGISTRATION = dt.date(1949, 10, 1)

# 事业单位 by 机构编制部门, 社会服务机构 by 民政, 营利性 by 市场监管.
REGISTRAR_OF_NATURE = {
    "public_institution": "bianban",
    "social_service": "minzheng",
    "for_profit": "shichang",
}


@dataclass(frozen=True)
class Violation:
    field: str
    rule: str
    message: str
    status: int = 422  # 403 when it is who acts, 409 when it is the state of the record


def as_problem_errors(violations: list[Violation]) -> list[dict[str, str]]:
    return [{"field": v.field, "rule": v.rule, "message": v.message} for v in violations]


@dataclass(frozen=True)
class RegistrationFacts:
    uscc: str
    nature: str
    registrar: str
    registrar_region: str
    county: str
    registered_on: dt.date
    employer_run: bool
    sponsors: tuple[str, ...]
    service_types: tuple[str, ...]

    @classmethod
    def of(cls, record: Any) -> RegistrationFacts:
        """The facts the rules look at, from anything that carries them as attributes or keys."""
        get = record.get if isinstance(record, dict) else lambda name: getattr(record, name)
        return cls(**{f.name: _frozen(get(f.name)) for f in fields(cls)})


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def acting_for_violations(department: str | None, office_region: str, registrar: str, registrar_region: str) -> list[Violation]:
    """A registrar's staff act for their own department, within their own region."""
    found = []
    if department != registrar:
        found.append(Violation("registrar", "acting_for_own_department", f"you act for {department}, not for {registrar}", 403))
    if not covers(office_region, registrar_region):
        found.append(
            Violation("registrar_region", "acting_within_own_region", f"your office ({office_region}) does not act for {registrar_region}", 403)
        )
    return found


def location_violations(registrar_region: str, county: str) -> list[Violation]:
    """在机构所在地县级以上部门登记: the county office where it is located, or the city's."""
    found = []
    if not is_county(county):
        found.append(Violation("county", "county_of_qingyuan", f"{county} is not a county of Qingyuan"))
    if not is_region(registrar_region):
        found.append(Violation("registrar_region", "region_of_qingyuan", f"{registrar_region} is not a Qingyuan region"))
    elif registrar_region not in (CITY, county):
        found.append(
            Violation(
                "registrar_region",
                "registrar_of_location",
                "the registering office is the one of the county where the institution is located, or the city's",
            )
        )
    return found


def registration_violations(facts: RegistrationFacts, today: dt.date) -> list[Violation]:
    """Every rule of the policy a registration breaks (empty when it may stand)."""
    found: list[Violation] = []
    if rule := uscc_violation(facts.uscc):
        found.append(Violation("uscc", f"uscc_{rule}", f"统一社会信用代码 is not valid ({rule}, GB 32100-2015)"))
    expected = REGISTRAR_OF_NATURE.get(facts.nature)
    if expected and facts.registrar != expected:
        found.append(
            Violation(
                "registrar",
                "registrar_for_nature",
                f"an institution of nature {facts.nature} is registered by {expected}, not {facts.registrar}",
            )
        )
    if facts.employer_run:
        # 机关、企事业单位 run their staff's childcare as 事业单位 or 社会服务机构, never for profit.
        if facts.nature == "for_profit":
            found.append(Violation("employer_run", "employer_run_not_for_profit", "an employer-run institution cannot be for_profit"))
        if not facts.sponsors:
            found.append(Violation("sponsors", "employer_run_sponsors", "an employer-run institution names its sponsoring employer(s)"))
    found += location_violations(facts.registrar_region, facts.county)
    if facts.registered_on > today:
        found.append(Violation("registered_on", "not_in_future", "registered_on is in the future"))
    if facts.registered_on < EARLIEST_REGISTRATION:
        found.append(Violation("registered_on", "not_before_1949", f"registered_on is before {EARLIEST_REGISTRATION}"))
    if not facts.service_types:
        found.append(Violation("service_types", "at_least_one", "name at least one service type"))
    return found


HELD_AS = {"registration": "registered as an institution", "kindergarten_class": "in the kindergarten 托班 ledger"}


def uscc_held_violation(uscc: str, held_as: str) -> Violation:
    """A USCC is one record here, an institution's registration or a kindergarten's 托班 ledger
    entry (DESIGN §5: the ledger is pushed to health the same way): the health bureau's inbox
    keeps one entry a USCC, and a second record under it would be lost there."""
    return Violation("uscc", "one_record_a_uscc", f"{uscc} is already {HELD_AS[held_as]}; a USCC is one record", 409)


def ending_violations(status: str, started_on: dt.date, ended_on: dt.date, today: dt.date, *, field: str) -> list[Violation]:
    """Deregistration (注销) or closure: of an active record, dated between its start and today."""
    found = []
    if status != "active":
        found.append(Violation("status", "already_ended", f"the record is already {status}", 409))
    if ended_on < started_on:
        found.append(Violation(field, "not_before_start", f"{field} is before the record began ({started_on})"))
    if ended_on > today:
        found.append(Violation(field, "not_in_future", f"{field} is in the future"))
    return found


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The keys of `after` whose values differ from `before`."""
    return sorted(k for k, v in after.items() if before.get(k) != v)
