"""Registration rules (登记, policy 三(三)1; DESIGN §5) as plain functions over plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from shared.regions import CITY, is_county, is_region
from shared.validators import uscc_violation

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
        """The facts the rules look at, from anything that carries them as attributes."""
        return cls(**{f.name: _frozen(getattr(record, f.name)) for f in fields(cls)})


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def registration_violations(facts: RegistrationFacts, today: dt.date) -> list[Violation]:
    """Every rule of the policy a new registration breaks (empty when it may be registered)."""
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
    if not is_county(facts.county):
        found.append(Violation("county", "county_of_qingyuan", f"{facts.county} is not a county of Qingyuan"))
    if not is_region(facts.registrar_region):
        found.append(Violation("registrar_region", "region_of_qingyuan", f"{facts.registrar_region} is not a Qingyuan region"))
    elif facts.registrar_region not in (CITY, facts.county):
        # 在机构所在地县级以上部门登记: the county office where it is located, or the city office.
        found.append(
            Violation(
                "registrar_region",
                "registrar_of_location",
                "the registering office is the one of the county where the institution is located, or the city's",
            )
        )
    if facts.registered_on > today:
        found.append(Violation("registered_on", "not_in_future", "registered_on is in the future"))
    if not facts.service_types:
        found.append(Violation("service_types", "at_least_one", "name at least one service type"))
    return found
