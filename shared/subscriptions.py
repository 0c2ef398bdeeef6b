"""Who may read which topics (订阅权限), and how a bureau names its consumer groups.

One table serves every way out of the platform: the Kafka ACLs of the production deployment
(`tuoyu acls`), the feed as read by a bureau's subscriber account, and webhooks. A bureau reads a
topic when its duty in the plan needs it; a county office reads only events of its own county
(属地管理), a city office those of the whole city. Personal data never travels in an event (the
resident ID is masked at the source, the phone left out), so what a bureau may read it may read whole.
"""

from __future__ import annotations

import re

from shared.departments import DEPARTMENTS
from shared.events.catalogue import CATALOGUE, TOPICS
from shared.regions import CITY

_MEMBERS = tuple(d for d in DEPARTMENTS if d != "evaluator")
_SUPERVISORS = ("weijian", "shichang", "gongan", "xiaofang")  # the four inspecting agencies (三(三)4)
_REGISTRARS = ("bianban", "minzheng", "shichang")  # 三(三)1
_FINANCE = ("caizheng", "renshe", "fagai")  # awards, training subsidies, 普惠 prices (三(二)4、三(四)2)

# topic → the departments that may read it, and why (the plan's clause).
TOPIC_READERS: dict[str, tuple[str, ...]] = {
    # every member of the joint meeting works from the register of institutions (三(三)1, 四(一))
    "tuoyu.registration.institution": _MEMBERS,
    # the education bureau's 托班 ledger goes to health like a registration (三(三)1), and to the supervisors
    "tuoyu.registration.kindergarten_class": ("jiaoyu", *_SUPERVISORS),
    # filed venues feed the fire roster (三(三)4); registrars follow their institutions; finance pays filed ones only
    "tuoyu.inspection.filing": (*_REGISTRARS, "weijian", "gongan", "xiaofang", "caizheng"),
    # inspections and their findings: the four agencies (三(三)2–4), finance for eligibility (三(二)4)
    "tuoyu.inspection.inspection": (*_SUPERVISORS, "caizheng"),
    "tuoyu.inspection.finding": (*_SUPERVISORS, "caizheng"),
    # credit drives 联合惩戒/激励 across the members (三(三)4)
    "tuoyu.inspection.credit": tuple(dict.fromkeys((*_REGISTRARS, *_SUPERVISORS, *_FINANCE))),  # 市场监管 is both
    # unlicensed operators are banned by market supervision with police and health (三(三)3)
    "tuoyu.inspection.unlicensed_operator": _SUPERVISORS,
    # quality evaluations are published (三(三)2)
    "tuoyu.inspection.evaluation": (*_SUPERVISORS, "jiaoyu", *_FINANCE),
    # 普惠 and demonstration designations are what awards and prices depend on (三(二)3–4)
    "tuoyu.inspection.designation": ("weijian", "minzheng", *_FINANCE),
    # the workforce: training and its subsidies (三(四)1–3); staffing is checked by health
    "tuoyu.training.practitioner": ("weijian", "renshe", "jiaoyu"),
    "tuoyu.training.certificate": ("weijian", "renshe", "jiaoyu", "caizheng"),
    "tuoyu.training.health_check": ("weijian", "renshe"),
    # budgets and payments: finance, 人社 for training subsidies, the joint meeting's office (四(一))
    "tuoyu.subsidy.budget": ("caizheng", "renshe", "weijian"),
    "tuoyu.subsidy.ledger": ("caizheng", "renshe", "weijian"),
}

# A bureau's consumer group: `<department>.<region>.<purpose>`, e.g. `gongan.441821.roster`. The
# suite's own groups are `<service>.<purpose>`, so the two never meet.
GROUP = re.compile(r"^(?P<department>[a-z]+)\.(?P<region>\d{6})\.(?P<purpose>[a-z0-9][a-z0-9-]{0,39})$")


def group_name(department: str, region: str, purpose: str) -> str:
    name = f"{department}.{region}.{purpose}"
    if not GROUP.match(name):
        raise ValueError(f"not a consumer group by the convention <department>.<region>.<purpose>: {name}")
    return name


def readable_topics(department: str) -> tuple[str, ...]:
    return tuple(topic for topic in TOPICS if department in TOPIC_READERS.get(topic, ()))


def readable_types(department: str) -> tuple[str, ...]:
    topics = set(readable_topics(department))
    return tuple(t for t, spec in CATALOGUE.items() if spec.topic in topics)


def may_read(department: str, topic: str) -> bool:
    return department in TOPIC_READERS.get(topic, ())


def region_covers(reader_region: str, event_region: str) -> bool:
    """A city office reads the whole city; a county office its own county."""
    return reader_region == CITY or reader_region == event_region
