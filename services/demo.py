"""Sample institutions for `tuoyu up --demo`, registered through the gateway like any other, so
their events flow to the health bureau exactly as real ones do."""

from __future__ import annotations

import datetime as dt

import httpx

from shared.timeutil import today_in_china
from shared.validators import uscc_check_char


def _uscc(body: str) -> str:
    return body + uscc_check_char(body)


def sample_registrations(today: dt.date) -> list[tuple[str, dict]]:
    """(registrar account, registration) pairs, registered this month."""
    common = {
        "registered_on": today.replace(day=1).isoformat(),
        "service_types": ["full_day", "half_day"],
        "operating_mode": "sole",
    }
    return [
        (
            "minzheng-441802",
            {
                **common,
                "uscc": _uscc("52441802MJ0000001"),
                "name": "清城区阳光托育中心",
                "nature": "social_service",
                "registrar": "minzheng",
                "registrar_region": "441802",
                "county": "441802",
                "address": "清城区松岗大道1号",
                "legal_representative": "李华",
                "places": {"infant": 10, "toddler": 30, "older_toddler": 40},
                "inclusive": True,
            },
        ),
        (
            "shichang-441881",
            {
                **common,
                "uscc": _uscc("91441881MA0000002"),
                "name": "英德市小树苗托育有限公司",
                "nature": "for_profit",
                "registrar": "shichang",
                "registrar_region": "441881",
                "county": "441881",
                "address": "英德市英城街道和平中路8号",
                "legal_representative": "王芳",
                "places": {"infant": 0, "toddler": 15, "older_toddler": 20},
                "inclusive": False,
            },
        ),
        (
            "bianban-441800",
            {
                **common,
                "uscc": _uscc("12441800MB0000003"),
                "name": "清远市妇幼保健院职工托育园",
                "nature": "public_institution",
                "registrar": "bianban",
                "registrar_region": "441800",
                "county": "441802",
                "address": "清城区银泉路2号",
                "legal_representative": "陈明",
                "places": {"infant": 10, "toddler": 15, "older_toddler": 20},
                "inclusive": True,
                "employer_run": True,
                "sponsors": ["清远市妇幼保健院"],
            },
        ),
    ]


async def seed_institutions(gateway_url: str, password: str) -> list[str]:
    """Register the samples that are not registered yet; returns the USCCs registered now."""
    created = []
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as http:
        for account, body in sample_registrations(today_in_china()):
            token = await http.post("/auth/token", data={"grant_type": "password", "username": account, "password": password})
            token.raise_for_status()
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            response = await http.post("/api/registration/v1/registrations", json=body, headers=headers)
            if response.status_code == 201:
                created.append(body["uscc"])
            elif response.status_code != 409:
                response.raise_for_status()
    return created
