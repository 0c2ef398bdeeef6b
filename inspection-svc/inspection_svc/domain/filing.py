"""Filing (备案) rules: 托育机构登记和备案办法（试行） (国卫办人口发〔2019〕25号) and policy 三(三)1
(婴幼儿照护服务机构经核准登记后，应及时向机构所在地的县级卫生健康部门备案)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shared.workdays import add_working_days, is_working_day, working_days_between

ANSWER_WORKING_DAYS = 5  # the health bureau answers within 5 working days of receipt
RETURN_WORKING_DAYS = 15  # a filing that does not meet the conditions is returned within 15
HYGIENE_PASSED = "合格"


@dataclass(frozen=True)
class Material:
    key: str
    label: str
    only_when_meals: bool = False


MATERIALS: tuple[Material, ...] = (
    Material("filing_form", "备案书"),
    Material("commitment_letter", "备案承诺书"),
    Material("licence", "营业执照或法人登记证书"),
    Material("premises_proof", "场地证明"),
    Material("staff_certificates", "工作人员资格证书和健康合格证明"),
    Material("hygiene_evaluation", "托幼机构卫生评价报告"),
    Material("fire_safety", "消防安全检查合格证明"),
    Material("food_licence", "食品经营许可证", only_when_meals=True),
)
MATERIAL_KEYS = {m.key for m in MATERIALS}


def required_materials(serves_meals: bool) -> list[Material]:
    return [m for m in MATERIALS if serves_meals or not m.only_when_meals]


def unmet_conditions(materials: dict[str, bool], serves_meals: bool, hygiene_rating: str | None) -> list[str]:
    """Why a filing cannot be accepted as it stands (empty when it can)."""
    reasons = [f"缺少{m.label}" for m in required_materials(serves_meals) if not materials.get(m.key)]
    if materials.get("hygiene_evaluation") and hygiene_rating != HYGIENE_PASSED:
        reasons.append("卫生评价报告结论不是合格")
    return reasons


@dataclass(frozen=True)
class FilingClock:
    answer_due_on: dt.date
    return_due_on: dt.date


def filing_clock(received_on: dt.date) -> FilingClock:
    """Both answer deadlines, counted in working days on the State Council calendar."""
    return FilingClock(add_working_days(received_on, ANSWER_WORKING_DAYS), add_working_days(received_on, RETURN_WORKING_DAYS))


def answer_due(clock: FilingClock, meets_conditions: bool) -> dt.date:
    """When the bureau's answer is due (DESIGN §5, 备案): a filing that meets the conditions is
    accepted within 5 working days of receipt; one that does not is returned, with its reasons,
    within 15."""
    return clock.answer_due_on if meets_conditions else clock.return_due_on


def filing_overdue(filing: Any, today: dt.date) -> bool:
    """Still unanswered after the clock that applies to it: its `answer_by`, which is `answer_due`
    of its clock as it was submitted."""
    return filing.status == "submitted" and today > filing.answer_by


def unfiled_overdue(registered_on: dt.date, today: dt.date, allowed_working_days: int) -> bool:
    """Registered, not filed, and more working days gone than the bureau allows."""
    return working_days_between(registered_on, today) > allowed_working_days


def unfiled_overdue_up_to(today: dt.date, allowed_working_days: int) -> dt.date:
    """The last registration date that is overdue today: `unfiled_overdue(day, today, allowed)`
    exactly for the days up to it (so a database can pick them)."""
    day, counted = today, 0
    while True:
        counted += is_working_day(day)
        if counted > allowed_working_days:
            return day - dt.timedelta(days=1)
        day -= dt.timedelta(days=1)
