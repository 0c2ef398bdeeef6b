"""Inspection rules: results against the agency's checklist, findings with severity and a
rectification deadline, follow-ups that close them (policy 三(三)3–4; DESIGN §5 Supervision)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspection_svc.domain.checklists import CHECKLISTS

MIN_INSPECTORS = 2  # law enforcement inspections are made by at least two inspectors


@dataclass(frozen=True)
class FindingFacts:
    code: str
    severity: str
    deadline: dt.date


@dataclass(frozen=True)
class Problem:
    field: str
    rule: str
    message: str


def inspection_problems(
    agency: str, inspected_on: dt.date, inspectors: list[str], results: dict[str, str], findings: list[FindingFacts], today: dt.date
) -> list[Problem]:
    checklist = CHECKLISTS[agency]
    found: list[Problem] = []
    if inspected_on > today:
        found.append(Problem("inspected_on", "not_in_future", "inspected_on is in the future"))
    if len(set(inspectors)) < MIN_INSPECTORS:
        found.append(Problem("inspectors", "at_least_two", f"an inspection is made by at least {MIN_INSPECTORS} inspectors"))
    if unknown := sorted(set(results) - set(checklist)):
        found.append(Problem("results", "agency_checklist", f"not on the {agency} checklist: {', '.join(unknown)}"))
    for index, finding in enumerate(findings):
        if finding.code not in checklist:
            found.append(Problem(f"findings.{index}.code", "agency_checklist", f"{finding.code} is not on the {agency} checklist"))
        if finding.deadline < inspected_on:
            found.append(Problem(f"findings.{index}.deadline", "after_inspection", "the rectification deadline is before the inspection"))
    failed = {item for item, outcome in results.items() if outcome == "fail"}
    if uncovered := sorted(failed - {f.code for f in findings}):
        found.append(Problem("findings", "failed_item_has_finding", f"failed items without a finding: {', '.join(uncovered)}"))
    return found


def rectification_overdue(status: str, deadline: dt.date, today: dt.date) -> bool:
    return status == "open" and today > deadline
