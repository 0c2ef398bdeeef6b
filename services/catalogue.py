"""The suite: every process `tuoyu up` runs, where it listens, what it stores and what it says.

Ports are the base port (default 8000) plus the offset; each service has its own database, named
after it (`var/<name>.db`, or `TUOYU_<NAME>_DATABASE_URL`).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.catalogue import CATALOGUE, TOPICS


@dataclass(frozen=True)
class ServiceInfo:
    name: str  # also the database name, the gateway context and the event source
    package: str
    title: str
    port_offset: int
    consumes: tuple[str, ...] = ()  # topics

    @property
    def produces(self) -> tuple[str, ...]:
        return tuple(sorted({s.topic for s in CATALOGUE.values() if s.producer == self.name}))

    @property
    def app_factory(self) -> str:
        return f"{self.package}.app:create_app"


GATEWAY = ServiceInfo("gateway", "gateway", "网关 gateway", 0, consumes=TOPICS)  # every event, for the webhooks
SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo("registration", "registration_svc", "登记 registration", 1),
    ServiceInfo(
        "inspection",
        "inspection_svc",
        "监管 supervision",
        2,
        consumes=(
            "tuoyu.registration.institution",
            "tuoyu.registration.kindergarten_class",
            "tuoyu.subsidy.budget",
            "tuoyu.subsidy.ledger",
            "tuoyu.training.certificate",
            "tuoyu.training.health_check",
            "tuoyu.training.practitioner",
        ),
    ),
    ServiceInfo(
        "subsidy",
        "subsidy_svc",
        "奖补 subsidies",
        3,
        consumes=(
            "tuoyu.inspection.credit",
            "tuoyu.inspection.designation",
            "tuoyu.inspection.filing",
            "tuoyu.inspection.finding",
            "tuoyu.registration.institution",
            "tuoyu.training.certificate",
        ),
    ),
    ServiceInfo("training", "training_svc", "队伍 workforce", 4, consumes=("tuoyu.registration.institution",)),
)
SUITE: tuple[ServiceInfo, ...] = (GATEWAY, *SERVICES)
BY_NAME = {s.name: s for s in SUITE}
