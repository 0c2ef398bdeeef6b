"""Staffing compliance of an institution (托育机构设置标准（试行）: 乳儿班 1:3, 托小班 1:5, 托大班 1:7),
with valid health checks and the year's in-service training (policy 三(三)3, 三(四)2)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.standards import CARERS, required_carers


@dataclass(frozen=True)
class StaffMember:
    occupation: str
    volunteer: bool
    certified: bool  # holds a certificate for their caring occupation
    health_check_valid: bool
    in_service_hours: int


@dataclass(frozen=True)
class Compliance:
    required_by_class: dict[str, int]
    required_carers: int
    carers: int
    certified_carers: int
    staff: int
    health_checks_valid: int
    in_service_done: int
    in_service_hours_required: int
    gaps: list[str] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return not self.gaps


def in_service_done(hours: int, required: int) -> bool:
    """The year's in-service training done (三(四)2): its hours at least those required."""
    return hours >= required


def staffing_compliance(places: dict[str, int], staff: list[StaffMember], hours_required: int) -> Compliance:
    """Volunteers help but are not staff: they count for nothing here."""
    employed = [s for s in staff if not s.volunteer]
    carers = [s for s in employed if s.occupation in CARERS]
    by_class = required_carers(places)
    required = sum(by_class.values())
    certified = sum(1 for s in carers if s.certified)
    healthy = sum(1 for s in employed if s.health_check_valid)
    trained = sum(1 for s in employed if in_service_done(s.in_service_hours, hours_required))
    gaps = []
    if certified < required:
        gaps.append(f"持证保育人员{certified}人，按班级托位需{required}人")
    if healthy < len(employed):
        gaps.append(f"{len(employed) - healthy}人健康检查不在有效期内")
    if trained < len(employed):  # 三(四)2 保证…从业人员每年完成在职培训
        gaps.append(f"{len(employed) - trained}人未完成年度在职培训")
    return Compliance(by_class, required, len(carers), certified, len(employed), healthy, trained, hours_required, gaps)
