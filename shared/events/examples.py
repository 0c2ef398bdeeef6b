"""One example per event type (示例), as a subscriber would receive it: part of the published
contract (`tuoyu contract`, the AsyncAPI document). Built through the catalogue's own models, so an
example that no longer fits its schema fails here, at import, not in a bureau's consumer.

Every example concerns one made-up 托育机构 in 清城区 (441802); the ids are fixed so that the
contract files do not change from one generation to the next.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from shared.events.catalogue import CATALOGUE, new_event, spec_of
from shared.events.envelope import Event

COUNTY = "441802"  # 清城区
USCC = "52441802MJL3C5X7AM"  # a valid 统一社会信用代码 of a 民政-registered 社会服务机构
KINDERGARTEN_USCC = "12441802MB1234567K"
AT = dt.datetime(2025, 3, 12, 2, 30, tzinfo=dt.UTC)  # 10:30 in China
_ID_NAMESPACE = uuid.UUID("57489718-434c-498e-8098-77e2c3393fa3")

FILING_ID = "599923a3-5190-43d8-b27f-b5e2e164abde"
INSPECTION_ID = "e18ee4d5-d3de-44b8-a5c4-cefbd7a0920e"
FINDING_ID = "0695e255-23da-4fbb-86a8-c844ae796351"
PRACTITIONER_ID = "c0ed4fb6-3eeb-4dac-bb7e-6c36bc9d7fd1"
DESIGNATION_ID = "638d8635-d273-4c54-9289-855aaf1da999"
OPERATOR_ID = "16324b05-e9d2-41de-8564-ccba6d50fc22"
ENTRY_ID = "a223eea2-c590-44e9-a31e-6d40246eaaa6"

_INSTITUTION = {
    "uscc": USCC,
    "name": "清城区阳光托育中心",
    "nature": "social_service",
    "registrar": "minzheng",
    "registrar_region": COUNTY,
    "county": COUNTY,
    "registered_on": "2025-03-12",
    "address": "清城区松岗大道18号",
    "legal_representative": "李敏",
    "service_types": ["full_day", "hourly"],
    "places": {"infant": 10, "toddler": 30, "older_toddler": 40},
    "inclusive": True,
    "operating_mode": "sole",
    "employer_run": False,
    "sponsors": [],
    "area": "urban",
    "status": "active",
    "version": 1,
}
_KINDERGARTEN_CLASS = {
    "uscc": KINDERGARTEN_USCC,
    "name": "清城区实验幼儿园",
    "ownership": "public",
    "county": COUNTY,
    "ledger_region": COUNTY,
    "recorded_on": "2025-03-12",
    "address": "清城区北江路6号",
    "classes": 2,
    "places": 40,
    "inclusive": True,
    "status": "active",
    "version": 1,
}
_FILING = {
    "filing_id": FILING_ID,
    "sequence": 1,
    "uscc": USCC,
    "name": _INSTITUTION["name"],
    "county": COUNTY,
    "status": "submitted",
    "submitted_on": "2025-03-14",
    "answer_due_on": "2025-03-21",
    "return_due_on": "2025-04-07",
    "version": 1,
}
_FINDING = {
    "finding_id": FINDING_ID,
    "inspection_id": INSPECTION_ID,
    "uscc": USCC,
    "county": COUNTY,
    "agency": "xiaofang",
    "code": "exits",
    "severity": "major",
    "risk_level": "中",
    "raised_on": "2025-04-02",
    "deadline": "2025-04-16",
    "status": "open",
    "verified_on": None,
    "version": 1,
}
_OPERATOR = {
    "operator_id": OPERATOR_ID,
    "name": "无名家庭托管点",
    "county": COUNTY,
    "address": "清城区东城街某小区",
    "found_on": "2025-02-20",
    "banned_on": "2025-02-21",
    "status": "banned",
    "linked_uscc": None,
}
_DESIGNATION = {
    "designation_id": DESIGNATION_ID,
    "kind": "inclusive",
    "uscc": USCC,
    "county": COUNTY,
    "year": 2025,
    "status": "recognised",
    "decided_on": "2025-05-06",
    "reason": None,
    "version": 1,
}
_PRACTITIONER = {
    "practitioner_id": PRACTITIONER_ID,
    "id_number_masked": "441***********123X",  # masked at the source: personal data never travels whole
    "name": "王芳",
    "occupation": "yuyingyuan",
    "employer_uscc": USCC,
    "hired_on": "2025-03-20",
    "left_on": None,
    "rehired_retiree": False,
    "volunteer": False,
    "status": "employed",
    "version": 1,
}

# event type → (subject, data as a plain dict, validated by the type's model below)
_EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "tuoyu.registration.institution.registered.v1": (USCC, _INSTITUTION),
    "tuoyu.registration.institution.amended.v1": (USCC, {**_INSTITUTION, "places": {"infant": 10, "toddler": 30, "older_toddler": 50}, "version": 2, "changed": ["places"]}),
    "tuoyu.registration.institution.deregistered.v1": (
        USCC,
        {**_INSTITUTION, "status": "deregistered", "deregistered_on": "2025-12-31", "version": 3, "reason": "举办者申请注销"},
    ),
    "tuoyu.registration.kindergarten_class.recorded.v1": (KINDERGARTEN_USCC, _KINDERGARTEN_CLASS),
    "tuoyu.registration.kindergarten_class.amended.v1": (KINDERGARTEN_USCC, {**_KINDERGARTEN_CLASS, "classes": 3, "places": 60, "version": 2, "changed": ["classes", "places"]}),
    "tuoyu.registration.kindergarten_class.closed.v1": (
        KINDERGARTEN_USCC,
        {**_KINDERGARTEN_CLASS, "status": "closed", "closed_on": "2025-08-31", "version": 3, "reason": "生源不足停办托班"},
    ),
    "tuoyu.inspection.filing.submitted.v1": (USCC, _FILING),
    "tuoyu.inspection.filing.accepted.v1": (USCC, {**_FILING, "status": "accepted", "decided_on": "2025-03-19", "version": 2}),
    "tuoyu.inspection.filing.returned.v1": (
        USCC,
        {**_FILING, "status": "returned", "decided_on": "2025-03-19", "reasons": ["消防安全检查合格证明缺失"], "version": 2},
    ),
    "tuoyu.inspection.filing.cancelled.v1": (USCC, {**_FILING, "status": "cancelled", "decided_on": "2025-12-31", "version": 3}),
    "tuoyu.inspection.inspection.recorded.v1": (
        USCC,
        {
            "inspection_id": INSPECTION_ID,
            "uscc": USCC,
            "county": COUNTY,
            "agency": "xiaofang",
            "kind": "spot_check",
            "inspected_on": "2025-04-02",
            "plan_id": None,
            "items_checked": 12,
            "items_failed": 1,
            "finding_ids": [FINDING_ID],
        },
    ),
    "tuoyu.inspection.finding.raised.v1": (USCC, _FINDING),
    "tuoyu.inspection.finding.closed.v1": (USCC, {**_FINDING, "status": "closed", "verified_on": "2025-04-15", "version": 2}),
    "tuoyu.inspection.credit.changed.v1": (
        USCC,
        {
            "uscc": USCC,
            "county": COUNTY,
            "status": "trustworthy",
            "previous": "normal",
            "reasons": ["连续一年无违法违规记录"],
            "since": "2026-03-12",
            "version": 2,
        },
    ),
    "tuoyu.inspection.unlicensed_operator.recorded.v1": (OPERATOR_ID, _OPERATOR),
    "tuoyu.inspection.unlicensed_operator.linked.v1": (OPERATOR_ID, {**_OPERATOR, "status": "registered", "linked_uscc": USCC}),
    "tuoyu.inspection.evaluation.published.v1": (
        USCC,
        {
            "evaluation_id": "9a0c5e1e-3f4d-4f7b-9a51-2f1c7c2b8d40",
            "uscc": USCC,
            "county": COUNTY,
            "evaluated_on": "2025-06-10",
            "scores": {"conditions": 86, "staff": 82, "care": 88, "health": 85, "parenting_support": 80, "safety": 90, "management": 84},
            "rating": "良好",
            "published_on": "2025-06-17",
        },
    ),
    "tuoyu.inspection.designation.inclusive_recognised.v1": (USCC, _DESIGNATION),
    "tuoyu.inspection.designation.demonstration_nominated.v1": (USCC, {**_DESIGNATION, "kind": "demonstration", "status": "nominated"}),
    "tuoyu.inspection.designation.demonstration_confirmed.v1": (
        USCC,
        {**_DESIGNATION, "kind": "demonstration", "status": "confirmed", "decided_on": "2025-07-01", "version": 2},
    ),
    "tuoyu.inspection.designation.withdrawn.v1": (
        USCC,
        {**_DESIGNATION, "status": "withdrawn", "decided_on": "2025-10-09", "reason": "被列入失信名单", "version": 2},
    ),
    "tuoyu.training.practitioner.hired.v1": (PRACTITIONER_ID, _PRACTITIONER),
    "tuoyu.training.practitioner.departed.v1": (PRACTITIONER_ID, {**_PRACTITIONER, "status": "left", "left_on": "2025-09-30", "version": 2}),
    "tuoyu.training.practitioner.amended.v1": (PRACTITIONER_ID, {**_PRACTITIONER, "rehired_retiree": True, "version": 2}),
    "tuoyu.training.certificate.issued.v1": (
        PRACTITIONER_ID,
        {
            "certificate_id": "5b7f3c2a-8e41-4d6b-b0f9-1c2d3e4f5a6b",
            "practitioner_id": PRACTITIONER_ID,
            "employer_uscc": USCC,
            "kind": "skill_level",
            "occupation": "yuyingyuan",
            "level": 4,
            "number": "Y000044180000123",
            "issued_on": "2025-05-20",
        },
    ),
    "tuoyu.training.health_check.recorded.v1": (
        PRACTITIONER_ID,
        {
            "health_check_id": "7d1e9b4c-2a3f-4c5d-8e6f-9a0b1c2d3e4f",
            "practitioner_id": PRACTITIONER_ID,
            "employer_uscc": USCC,
            "checked_on": "2025-03-18",
            "result": "fit",
            "valid_until": "2026-03-17",
        },
    ),
    "tuoyu.subsidy.budget.set.v1": (
        f"fee_reduction:2025:{COUNTY}:county",
        {"programme": "fee_reduction", "year": 2025, "region": COUNTY, "level": "county", "amount_fen": 120_000_000, "set_at": "2025-01-15T01:00:00Z"},
    ),
    "tuoyu.subsidy.ledger.booked.v1": (
        ENTRY_ID,
        {
            "entry_id": ENTRY_ID,
            "application_id": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
            "programme": "fee_reduction",
            "year": 2025,
            "county": COUNTY,
            "uscc": USCC,
            "region": COUNTY,
            "level": "county",
            "kind": "payment",
            "amount_fen": 8_000_000,
            "booked_on": "2025-06-30",
        },
    ),
}


def example_event(event_type: str) -> Event:
    """The example envelope of a catalogued type, as it travels on its topic."""
    spec = spec_of(event_type)
    subject, data = _EXAMPLES[event_type]
    event = new_event(
        event_type,
        source=f"{spec.producer}-svc",
        subject=subject,
        region=COUNTY,
        data=spec.data.model_validate(data),
        traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        time=AT,
    )
    return event.model_copy(update={"id": uuid.uuid5(_ID_NAMESPACE, event_type)})


EXAMPLES: dict[str, Event] = {event_type: example_event(event_type) for event_type in CATALOGUE}
