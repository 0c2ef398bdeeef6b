"""The joint meeting's policy-goal tracker (policy 二、发展目标; 四(一): the office of the joint meeting
sits in the city health bureau). Which indicators exist, which member department's duty covers which,
the plan's milestones as seed data the office then edits, and how a target stands — pure rules over
plain figures; the figures themselves are aggregated in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.regions import CITY, COUNTIES

Figures = dict[str, float | int | None]


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    title: str
    unit: str  # count | places | share | fen
    current: bool = False  # as of today whatever the year asked (no history is kept of it)


GROUPS: dict[str, str] = {
    "supply": "机构与托位",  # 三(二)
    "inclusive": "普惠与示范",  # 三(二)3–4、四(五)
    "push": "登记推送",  # 三(三)1
    "filing": "备案",  # 三(三)1
    "inspection": "监督检查",  # 三(三)4
    "workforce": "从业人员",  # 三(四)
    "subsidy": "奖补资金",  # 三(二)4、三(四)
}

INDICATORS: tuple[Indicator, ...] = (
    Indicator("institutions", "supply", "托育机构数", "count"),
    Indicator("institutions_urban", "supply", "城镇机构数", "count"),
    Indicator("institutions_rural", "supply", "农村机构数", "count"),
    Indicator("places", "supply", "托位数", "places"),
    Indicator("places_urban", "supply", "城镇托位数", "places"),
    Indicator("places_rural", "supply", "农村托位数", "places"),
    Indicator("kindergarten_places", "supply", "幼儿园托班学位", "places"),
    Indicator("inclusive_institutions", "inclusive", "普惠机构数", "count"),
    Indicator("inclusive_places", "inclusive", "普惠托位数", "places"),
    Indicator("demonstration_sites", "inclusive", "示范点创建数", "count"),
    Indicator("demonstration_institutions", "inclusive", "示范性机构数", "count"),
    Indicator("inclusive_demonstrations", "inclusive", "普惠示范机构数", "count"),
    Indicator("registered", "push", "登记数", "count"),
    Indicator("received_same_month", "push", "当月推送数", "count"),
    Indicator("same_month_rate", "push", "当月推送率", "share"),
    Indicator("filings_pending", "filing", "待办备案", "count", current=True),
    Indicator("filings_overdue", "filing", "逾期未办备案", "count", current=True),
    Indicator("unfiled", "filing", "未备案机构", "count", current=True),
    Indicator("drawn", "inspection", "抽查对象数", "count"),
    Indicator("inspected", "inspection", "已检查数", "count"),
    Indicator("inspection_coverage", "inspection", "抽查完成率", "share"),
    Indicator("required_carers", "workforce", "应配保育人员", "count", current=True),
    Indicator("certified_carers", "workforce", "持证保育人员", "count", current=True),
    Indicator("certified_carer_ratio", "workforce", "持证保育人员配比", "share", current=True),
    Indicator("budget_fen", "subsidy", "预算（分）", "fen"),
    Indicator("paid_fen", "subsidy", "已拨付（分）", "fen"),
    Indicator("paid_share", "subsidy", "预算执行率", "share"),
)
BY_KEY = {i.key: i for i in INDICATORS}
SHARES = {"same_month_rate": ("received_same_month", "registered"), "inspection_coverage": ("inspected", "drawn"),
          "certified_carer_ratio": ("certified_carers", "required_carers"), "paid_share": ("paid_fen", "budget_fen")}

ALL = tuple(GROUPS)
# Which indicators each member of the joint meeting (四(一)) sees, by the 责任单位 of the clauses.
DUTIES: dict[str, tuple[str, ...]] = {
    "weijian": ALL,  # the joint meeting's office (四(一))
    "bianban": ("supply", "push", "filing"),  # registers public institutions (三(三)1)
    "minzheng": ("supply", "inclusive", "push", "filing"),  # registers social service institutions; 三(二)2、4
    "shichang": ("supply", "push", "filing", "inspection"),  # registers companies (三(三)1); food safety (三(三)4)
    "jiaoyu": ("supply", "push", "workforce"),  # 托班 ledger (三(二)3); training (三(四)1、3)
    "fagai": ("supply", "inclusive", "subsidy"),  # 普惠 fee standards and support (三(二)3–4)
    "caizheng": ("supply", "inclusive", "subsidy"),  # the one-time awards (三(二)4)
    "renshe": ("supply", "inclusive", "workforce", "subsidy"),  # training and its subsidies (三(二)3、三(四))
    "gongan": ("supply", "inspection"),  # security (三(三)4)
    "xiaofang": ("supply", "filing", "inspection"),  # fire safety of filed venues (三(三)4)
    "zhujian": ("supply", "inclusive"),  # facilities (三(二)1–4)
    "ziranziyuan": ("supply",),  # land (三(二)1–2)
    "nongye": ("supply",),  # rural facilities (三(二)2)
    "shuiwu": ("supply", "inclusive"),  # tax relief (三(二)4)
    "zonggonghui": ("supply", "inclusive", "workforce"),  # employer-run care (三(二)3); 三(四)3
    "tuanshiwei": ("supply", "workforce"),  # volunteers (三(四)3)
    "fulian": ("supply", "inclusive", "workforce"),  # 三(二)2–3、三(四)3
    "jisheng": ("supply",),  # family guidance (三(一)1)
}


def visible_groups(department: str, admin: bool = False) -> tuple[str, ...]:
    """The groups of indicators a department's duty covers (none: not a member of the meeting)."""
    return ALL if admin else DUTIES.get(department, ())


def visible_indicators(groups: Iterable[str]) -> list[Indicator]:
    wanted = set(groups)
    return [i for i in INDICATORS if i.group in wanted]


def as_of(year: int, today: dt.date) -> dt.date:
    """The tracker shows a past year as it closed and the current one as it stands today."""
    return min(dt.date(year, 12, 31), today)


def share(part: float | int | None, whole: float | int | None) -> float | None:
    return round(part / whole, 4) if part is not None and whole else None


def with_shares(figures: Mapping[str, float | int | None]) -> Figures:
    """Counts completed by the shares computed from them (a share of nothing is None, not 0)."""
    row: Figures = {key: figures.get(key, 0) for key in BY_KEY if key not in SHARES}
    for key, (part, whole) in SHARES.items():
        row[key] = share(row[part], row[whole])
    return row


def city_total(by_county: Mapping[str, Mapping[str, float | int | None]], city_only: Mapping[str, float | int | None]) -> Figures:
    """The city's row: each county's counts added up, then what is only counted city-wide (the
    city's own budget lines and payments) on top."""
    total: dict[str, float | int | None] = {}
    for figures in by_county.values():
        for key, value in figures.items():
            if key not in SHARES and value is not None:
                total[key] = (total.get(key) or 0) + value
    for key, value in city_only.items():
        total[key] = (total.get(key) or 0) + (value or 0)
    return with_shares(total)


def coverage(drawn: Iterable[tuple[str, str, str]], inspected: set[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Per county: institutions drawn by the year's plans (plan, uscc, county) and those inspected
    under the plan that drew them."""
    out: dict[str, dict[str, int]] = {}
    for plan_id, uscc, county in drawn:
        figures = out.setdefault(county, {"drawn": 0, "inspected": 0})
        figures["drawn"] += 1
        figures["inspected"] += (plan_id, uscc) in inspected
    return out


# -- targets -----------------------------------------------------------------------------------

SCOPES = {"each_county": "每个县（市、区）", "city": "全市"}


@dataclass(frozen=True)
class Target:
    code: str
    title: str
    clause: str
    indicator: str
    scope: str  # each_county | city
    threshold: float  # a count, or a share in percent for a share indicator
    from_year: int
    due_year: int


@dataclass(frozen=True)
class Standing:
    status: str  # upcoming | met | in_progress | overdue
    regions: list[tuple[str, float | int | None, bool]] = field(default_factory=list)  # (region, value, met)


def met(indicator: str, value: float | int | None, threshold: float) -> bool:
    if value is None:
        return False
    return value * 100 >= threshold if BY_KEY[indicator].unit == "share" else value >= threshold


def standing(target: Target, year: int, rows: Mapping[str, Mapping[str, float | int | None]]) -> Standing:
    """How a target stands in `year`: not yet due to start, met in every region it covers, still in
    its window, or past its due year unmet. Only the regions shown are judged."""
    if year < target.from_year:
        return Standing("upcoming")
    regions = [CITY] if target.scope == "city" else [c for c in COUNTIES if c in rows]
    judged = [(r, rows[r].get(target.indicator), met(target.indicator, rows[r].get(target.indicator), target.threshold)) for r in regions if r in rows]
    if judged and all(ok for _, _, ok in judged):
        return Standing("met", judged)
    return Standing("in_progress" if year <= target.due_year else "overdue", judged)


# The plan's milestones (二、发展目标), seeded once; from then on they are the office's data.
PLAN_MILESTONES: tuple[Target, ...] = (
    Target(
        "2020-demonstration-site-each-county",
        "各县（市、区）选取1家机构开展示范点创建",
        "二、发展目标 2020年：各县（市、区）选取1家婴幼儿照护服务机构开展示范点创建活动",
        "demonstration_sites", "each_county", 1, 2020, 2020,
    ),
    Target(
        "2020-demonstration-institutions-city",
        "全市建成2家以上示范性机构",
        "二、发展目标 2020年：全市建成2家以上具有带动效应、可承担一定指导功能的示范性婴幼儿照护服务机构",
        "demonstration_institutions", "city", 2, 2020, 2020,
    ),
    Target(
        "2022-inclusive-demonstration-each-county",
        "各县（市、区）建成1家以上普惠性示范机构",
        "二、发展目标 2021—2022年：各县（市、区）分别建成1家以上具有示范效应的普惠性婴幼儿照护服务机构",
        "inclusive_demonstrations", "each_county", 1, 2021, 2022,
    ),
    Target(
        "2025-urban-coverage-each-county",
        "各县（市、区）城镇有托育机构",
        "二、发展目标 2023—2025年：逐步形成多元化、多样化、覆盖城乡的婴幼儿照护服务体系",
        "institutions_urban", "each_county", 1, 2023, 2025,
    ),
    Target(
        "2025-rural-coverage-each-county",
        "各县（市、区）农村有托育机构",
        "二、发展目标 2023—2025年：逐步形成多元化、多样化、覆盖城乡的婴幼儿照护服务体系",
        "institutions_rural", "each_county", 1, 2023, 2025,
    ),
)
