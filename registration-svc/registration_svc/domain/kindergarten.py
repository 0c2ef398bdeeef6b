"""The kindergarten 托班 ledger (policy 三(二)3: 县（市、区）教育局对幼儿园托班要建立台账; and 三(三)1:
依托现有幼儿园开展婴幼儿照护服务的，由教育部门及时推送信息至卫生健康部门)."""

from __future__ import annotations

import datetime as dt

from registration_svc.domain.registration import Violation, location_violations
from shared.regions import CITY
from shared.validators import uscc_violation

# 托大班 (24–36 months) holds at most 20 children (托育机构设置标准（试行）).
PLACES_PER_CLASS = 20
EDUCATION = "jiaoyu"


def ledger_violations(
    *, uscc: str, county: str, ledger_region: str, recorded_on: dt.date, classes: int, places: int, today: dt.date
) -> list[Violation]:
    found: list[Violation] = []
    if rule := uscc_violation(uscc):
        found.append(Violation("uscc", f"uscc_{rule}", f"the kindergarten's 统一社会信用代码 is not valid ({rule})"))
    if ledger_region == CITY:  # 三(二)3: 县（市、区）教育局对幼儿园托班要建立台账
        found.append(Violation("ledger_region", "ledger_of_county", "the 托班 ledger is kept by the county education bureau, not the city's"))
    found += [
        Violation("ledger_region" if v.field == "registrar_region" else v.field, v.rule, v.message)
        for v in location_violations(ledger_region, county)
    ]
    if classes < 1:
        found.append(Violation("classes", "at_least_one", "an active ledger entry has at least one 托班"))
    if places > classes * PLACES_PER_CLASS:
        found.append(
            Violation("places", "places_per_class", f"{places} places in {classes} 托班 exceed {PLACES_PER_CLASS} a class")
        )
    if recorded_on > today:
        found.append(Violation("recorded_on", "not_in_future", "recorded_on is in the future"))
    return found
