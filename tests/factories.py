"""Test data: valid USCCs and registration bodies."""

from __future__ import annotations

import datetime as dt
import random

from aiokafka.partitioner import murmur2

from shared.timeutil import today_in_china
from shared.validators import USCC_CHARSET, resident_id_check_digit, uscc_check_char

_rng = random.Random()

# The first two characters of a USCC by registrar: 编办 12 (事业单位), 民政 52 (社会服务机构), 市场监管 91.
USCC_PREFIX = {"bianban": "12", "minzheng": "52", "shichang": "91"}


def new_uscc(registrar: str = "minzheng", region: str = "441802") -> str:
    body = USCC_PREFIX[registrar] + region + "".join(_rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_char(body)


def partition_of(key: str, partitions: int) -> int:
    """The partition aiokafka's default partitioner gives a key."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def registration_body(registrar: str = "minzheng", region: str = "441802", **overrides: object) -> dict:
    nature = {"bianban": "public_institution", "minzheng": "social_service", "shichang": "for_profit"}[registrar]
    body: dict = {
        "uscc": new_uscc(registrar, region if region != "441800" else "441802"),
        "name": f"测试托育机构{_rng.randint(1000, 9999)}",
        "nature": nature,
        "registrar": registrar,
        "registrar_region": region,
        "county": region if region != "441800" else "441802",
        "registered_on": today_in_china().isoformat(),
        "address": "清城区测试路1号",
        "legal_representative": "张三",
        "service_types": ["full_day"],
        "places": {"infant": 5, "toddler": 10, "older_toddler": 15},
        "inclusive": False,
        "operating_mode": "sole",
        "employer_run": False,
        "sponsors": [],
    }
    body.update(overrides)
    return body


def days_ago(n: int) -> str:
    return (today_in_china() - dt.timedelta(days=n)).isoformat()


def new_resident_id(born: dt.date | None = None) -> str:
    """A valid 公民身份号码 (GB 11643) of someone born in Qingyuan."""
    birth = born or dt.date(_rng.randint(1965, 2004), _rng.randint(1, 12), _rng.randint(1, 28))
    body = f"4418{_rng.randint(0, 99):02d}{birth:%Y%m%d}{_rng.randint(0, 999):03d}"
    return body + resident_id_check_digit(body)
