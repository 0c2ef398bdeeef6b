"""Inspection rules: results against the agency's checklist, findings with severity and a
rectification deadline, follow-ups that close them (policy 三(三)3–4; DESIGN §5 Supervision)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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


def required_items(agency: str, kind: str, plan_checklist: Sequence[str] | None) -> list[str]:
    """The checklist items an inspection's results must cover: a spot check its plan's 一单, a
    routine inspection the agency's whole checklist; a complaint or special inspection checks what
    it is about, at least one item."""
    if kind == "spot_check" and plan_checklist is not None:
        return list(plan_checklist)
    return list(CHECKLISTS[agency]) if kind == "routine" else []


@dataclass(frozen=True)
class Substitution:
    replaces: str  # a drawn inspector who could not go
    by: str


def inspection_problems(
    agency: str,
    inspected_on: dt.date,
    inspectors: list[str],
    results: dict[str, str],
    findings: list[FindingFacts],
    today: dt.date,
    required: Sequence[str],
) -> list[Problem]:
    """`required`: the items the results must cover (`required_items`)."""
    checklist = CHECKLISTS[agency]
    found: list[Problem] = []
    if not results:
        found.append(Problem("results", "not_empty", "an inspection records the result of each item it checked"))
    # an outcome for each item of its checklist (一单), not_applicable where one does not apply
    if missing := [item for item in required if item not in results]:
        found.append(Problem("results", "covers_checklist", f"no result (pass, fail or not_applicable) for: {', '.join(missing)}"))
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


def drawn_inspector_problems(drawn: Sequence[str], inspectors: Sequence[str], substitutions: Sequence[Substitution], eligible: set[str]) -> list[Problem]:
    """A spot check is made by the inspectors its draw assigned (随机选派执法检查人员); one who cannot
    go is replaced by another inspector of the plan's database free of a conflict (`eligible`, 回避),
    and the replacement is recorded with its reason."""
    found: list[Problem] = []
    for index, s in enumerate(substitutions):
        if s.replaces not in drawn:
            found.append(Problem(f"substitutions.{index}.replaces", "drawn_inspector", f"{s.replaces} was not assigned by the draw"))
        if s.by not in eligible or s.by in drawn:
            found.append(
                Problem(f"substitutions.{index}.by", "plan_inspector_without_conflict", f"{s.by} is not an unassigned inspector of the plan free of a conflict")
            )
    expected = (set(drawn) - {s.replaces for s in substitutions}) | {s.by for s in substitutions}
    if set(inspectors) != expected:
        found.append(
            Problem("inspectors", "drawn_inspectors", f"the draw assigned {', '.join(drawn)}; a replacement is recorded in substitutions with its reason")
        )
    return found


def follow_up_problems(inspectors: list[str], findings: list[str], outcome: str, followed_on: dt.date, new_deadline: dt.date | None) -> list[Problem]:
    """A follow-up is an inspection too: at least two inspectors; each finding once; a new deadline
    exactly when it extends the rectification period."""
    found: list[Problem] = []
    if len(set(inspectors)) < MIN_INSPECTORS:
        found.append(Problem("inspectors", "at_least_two", f"a follow-up is made by at least {MIN_INSPECTORS} inspectors"))
    if duplicated := sorted({f for f in findings if findings.count(f) > 1}):
        found.append(Problem("closes", "each_once", f"listed more than once: {', '.join(duplicated)}"))
    if outcome == "extended" and (new_deadline is None or new_deadline <= followed_on):
        found.append(Problem("new_deadline", "extension_after_follow_up", "an extension gives a new deadline after the follow-up"))
    if outcome != "extended" and new_deadline is not None:
        found.append(Problem("new_deadline", "only_when_extended", "a new deadline is given only when the outcome is extended"))
    return found


def rectification_overdue(status: str, deadline: dt.date, today: dt.date) -> bool:
    return status == "open" and today > deadline
