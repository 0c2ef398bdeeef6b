"""Workforce rules (policy 三(四); DESIGN §5 Workforce): who may be registered, which certificates
exist, how long a health check holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.validators import resident_id_violation

OCCUPATIONS = {
    "yuyingyuan": "育婴员",
    "baoyuyuan": "保育员",
    "health_care": "卫生保健人员",
    "security": "安保人员",
    "cook": "炊事人员",
    "manager": "管理人员",
}
LEVELS = {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}
LEVELLED_KINDS = ("qualification", "skill_level")
MINIMUM_WORKING_AGE = 16  # 中华人民共和国劳动法 第十五条: 禁止用人单位招用未满十六周岁的未成年人


@dataclass(frozen=True)
class Rule:
    field: str
    rule: str
    message: str


def practitioner_problems(id_number: str, hired_on: dt.date, today: dt.date) -> list[Rule]:
    found = []
    if rule := resident_id_violation(id_number, today):
        found.append(Rule("id_number", f"resident_id_{rule}", f"公民身份号码 is not valid ({rule}, GB 11643)"))
    elif too_young := working_age_problem(id_number, hired_on):
        found.append(too_young)
    if hired_on > today:
        found.append(Rule("hired_on", "not_in_future", "hired_on is in the future"))
    return found


def working_age_problem(id_number: str, hired_on: dt.date) -> Rule | None:
    """A valid resident ID carries the birth date (GB 11643, characters 7–14)."""
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    age = hired_on.year - born.year - ((hired_on.month, hired_on.day) < (born.month, born.day))
    if age < MINIMUM_WORKING_AGE:
        return Rule("hired_on", "minimum_working_age", f"未满{MINIMUM_WORKING_AGE}周岁 on hired_on (劳动法 第十五条)")
    return None


def certificate_problems(kind: str, level: int | None, issued_on: dt.date, today: dt.date) -> list[Rule]:
    found = []
    if kind in LEVELLED_KINDS and level not in LEVELS:
        found.append(Rule("level", "level_1_to_5", "a qualification or skill-level certificate has a level from 1 to 5"))
    if kind == "training" and level is not None:
        found.append(Rule("level", "no_level_for_training", "a training certificate (培训合格证书) has no level"))
    if issued_on > today:
        found.append(Rule("issued_on", "not_in_future", "issued_on is in the future"))
    return found


def health_check_holds(latest: tuple[str, dt.date] | None, today: dt.date) -> bool:
    """The latest check (result, valid_until) alone decides: fit and not expired (三(三)3 每年…健康检查).
    An unfit finding ends an earlier fit check's year."""
    return latest is not None and latest[0] == "fit" and latest[1] >= today


def health_check_valid_until(checked_on: dt.date) -> dt.date:
    """An annual check holds for a year: until the day before its anniversary."""
    try:
        anniversary = checked_on.replace(year=checked_on.year + 1)
    except ValueError:  # 29 February
        anniversary = dt.date(checked_on.year + 1, 3, 1)
    return anniversary - dt.timedelta(days=1)
