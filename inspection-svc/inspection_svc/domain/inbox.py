"""The health bureau's inbox rules (policy 三(三)1: 登记机关…在登记当月将有关机构登记信息推送至本级卫生健康部门)."""

from __future__ import annotations

import datetime as dt

from shared.timeutil import china_date


def health_region_for(registrar_region: str) -> str:
    """The health bureau of the registrar's own level: a county registrar pushes to the county
    health bureau, a city registrar to the city's."""
    return registrar_region


def received_same_month(registered_on: dt.date, received_at: dt.datetime) -> bool:
    """Whether it arrived in the registration month, counted in China Standard Time."""
    received_on = china_date(received_at)
    return (received_on.year, received_on.month) == (registered_on.year, registered_on.month)
