"""The monthly push-compliance report (policy 三(三)1: 登记机关应当…在登记当月将有关机构登记信息推送至
本级卫生健康部门): per registering office and registrar, what was registered, what the health
bureau received in the registration month, what it received later, and what it never received."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ComplianceRow:
    region: str
    registrar: str
    registered: int
    received_same_month: int
    received_late: int
    missing: int

    @property
    def same_month_rate(self) -> float | None:
        return round(self.received_same_month / self.registered, 4) if self.registered else None


def compliance_rows(registered: dict[tuple[str, str], int], received: dict[tuple[str, str], tuple[int, int]]) -> list[ComplianceRow]:
    """Join the registrars' counts with the inbox's (same month, late) counts by (region, registrar)."""
    rows = []
    for key in sorted(set(registered) | set(received)):
        same, late = received.get(key, (0, 0))
        count = registered.get(key, 0)
        rows.append(ComplianceRow(key[0], key[1], count, same, late, max(count - same - late, 0)))
    return rows


def totals(rows: list[ComplianceRow], region: str) -> ComplianceRow:
    return ComplianceRow(
        region,
        "all",
        sum(r.registered for r in rows),
        sum(r.received_same_month for r in rows),
        sum(r.received_late for r in rows),
        sum(r.missing for r in rows),
    )
