"""Reading a bureau's existing list of registrations from its spreadsheet: the template's
columns, and the cell values a clerk types (Chinese labels or codes), as plain functions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from registration_svc.domain.registration import Violation

NATURES = {"事业单位": "public_institution", "社会服务机构": "social_service", "营利性": "for_profit"}
REGISTRARS = {"编办": "bianban", "民政": "minzheng", "市场监管": "shichang"}
SERVICE_TYPES = {"全日托": "full_day", "半日托": "half_day", "计时托": "hourly", "临时托": "temporary"}
OPERATING_MODES = {"独资": "sole", "合资": "joint", "公办民营": "public_private", "民办公助": "private_aided"}
AREAS = {"城镇": "urban", "农村": "rural"}
YES_NO = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False, "y": True, "n": False}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # text | code | codes | date | int | bool
    choices: dict[str, str] | None = None
    required: bool = True

    @property
    def heading(self) -> str:
        return f"{self.label} ({self.key})"


COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", "text"),
    Column("name", "机构名称", "text"),
    Column("nature", "机构性质", "code", NATURES),
    Column("registrar", "登记机关", "code", REGISTRARS),
    Column("registrar_region", "登记机关区划代码", "text"),
    Column("county", "所在县（市、区）代码", "text"),
    Column("registered_on", "登记日期", "date"),
    Column("address", "地址", "text"),
    Column("legal_representative", "法定代表人", "text"),
    Column("service_types", "服务类型", "codes", SERVICE_TYPES),
    Column("places.infant", "乳儿班托位", "int"),
    Column("places.toddler", "托小班托位", "int"),
    Column("places.older_toddler", "托大班托位", "int"),
    Column("inclusive", "普惠", "bool", required=False),
    Column("operating_mode", "举办形式", "code", OPERATING_MODES),
    Column("employer_run", "单位办托", "bool", required=False),
    Column("sponsors", "举办单位", "list", required=False),
    Column("area", "城乡", "code", AREAS, required=False),
)
_SPLIT = re.compile(r"[、,，;；\s]+")


def column_for(heading: str) -> Column | None:
    """A header cell names its column by the label, the key, or both (`标签 (key)`)."""
    text = heading.strip()
    for column in COLUMNS:
        if text in (column.heading, column.label, column.key):
            return column
    return None


def _convert(column: Column, value: Any) -> Any:
    if column.kind == "int":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise ValueError("a whole number")
    if column.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date(*map(int, re.split(r"[-/.]", str(value).strip()))).isoformat()
        except (ValueError, TypeError):
            raise ValueError("a date like 2026-11-01") from None
    text = str(value).strip()
    if column.kind == "bool":
        if text.lower() not in YES_NO:
            raise ValueError("是 or 否")
        return YES_NO[text.lower()]
    if column.kind == "code":
        assert column.choices is not None
        if text in column.choices.values():
            return text
        if text in column.choices:
            return column.choices[text]
        raise ValueError("one of " + "、".join(column.choices))
    if column.kind in ("codes", "list"):
        parts = [p for p in _SPLIT.split(text) if p]
        if column.kind == "list":
            return parts
        assert column.choices is not None
        unknown = [p for p in parts if p not in column.choices and p not in column.choices.values()]
        if unknown:
            raise ValueError("each of " + "、".join(column.choices))
        return [column.choices.get(p, p) for p in parts]
    return text


def row_to_registration(header: list[Column | None], values: list[Any]) -> tuple[dict[str, Any], list[Violation]]:
    """A sheet row as a registration request body, and what could not be read from its cells."""
    body: dict[str, Any] = {}
    problems: list[Violation] = []
    for column, value in zip(header, values, strict=False):
        if column is None:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            if column.required:
                problems.append(Violation(column.key, "required", f"{column.label} is empty"))
            continue
        try:
            converted = _convert(column, value)
        except (ValueError, TypeError) as exc:
            problems.append(Violation(column.key, "cell_format", f"{column.label}: expected {exc or 'a valid value'}, got {value!r}"))
            continue
        if "." in column.key:
            outer, inner = column.key.split(".")
            body.setdefault(outer, {})[inner] = converted
        else:
            body[column.key] = converted
    return body, problems


def missing_columns(header: list[Column | None]) -> list[str]:
    present = {c.key for c in header if c is not None}
    return [c.heading for c in COLUMNS if c.required and c.key not in present]


def template_example() -> list[Any]:
    return [
        "52441802MJ00000019",
        "清城区阳光托育中心",
        "社会服务机构",
        "民政",
        "441802",
        "441802",
        "2026-11-01",
        "清城区松岗大道1号",
        "李华",
        "全日托、半日托",
        10,
        30,
        40,
        "是",
        "独资",
        "否",
        "",
        "城镇",
    ]
