"""The health bureau's inbox rules (policy 三(三)1: 登记机关…在登记当月将有关机构登记信息推送至本级卫生健康
部门; 依托现有幼儿园开展婴幼儿照护服务的，由教育部门及时推送信息至卫生健康部门)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.events.registration import InstitutionSnapshot, KindergartenClassSnapshot
from shared.standards import required_carers
from shared.timeutil import china_date


@dataclass(frozen=True)
class Arrival:
    """What the inbox keeps of a registration or a kindergarten's 托班 ledger entry."""

    uscc: str
    kind: str  # institution | kindergarten_class
    name: str
    nature: str
    registrar: str
    registrar_region: str
    county: str
    address: str
    registered_on: dt.date
    status: str
    ended_on: dt.date | None
    version: int
    places: int  # 托位
    area: str | None = None  # 城镇 urban / 农村 rural, for an institution
    required_carers: int | None = None  # by the standard's ratios, for an institution

    @property
    def health_region(self) -> str:
        return health_region_for(self.registrar_region)


def health_region_for(registrar_region: str) -> str:
    """The health bureau of the registrar's own level: a county registrar pushes to the county
    health bureau, a city registrar to the city's."""
    return registrar_region


def received_same_month(registered_on: dt.date, received_at: dt.datetime) -> bool:
    """Whether it arrived in the registration month, counted in China Standard Time."""
    received_on = china_date(received_at)
    return (received_on.year, received_on.month) == (registered_on.year, registered_on.month)


def arrival_of_institution(data: InstitutionSnapshot) -> Arrival:
    places = data.places.model_dump()
    return Arrival(
        uscc=data.uscc,
        kind="institution",
        name=data.name,
        nature=data.nature,
        registrar=data.registrar,
        registrar_region=data.registrar_region,
        county=data.county,
        address=data.address,
        registered_on=data.registered_on,
        status=data.status,
        ended_on=data.deregistered_on,
        version=data.version,
        places=sum(places.values()),
        area=data.area,
        required_carers=sum(required_carers(places).values()),
    )


def arrival_of_kindergarten_class(data: KindergartenClassSnapshot) -> Arrival:
    return Arrival(
        uscc=data.uscc,
        kind="kindergarten_class",
        name=data.name,
        nature="kindergarten",
        registrar="jiaoyu",
        registrar_region=data.ledger_region,
        county=data.county,
        address=data.address,
        registered_on=data.recorded_on,
        status=data.status,
        ended_on=data.closed_on,
        version=data.version,
        places=data.places,
    )
