"""Credit (policy 三(三)2: 实行守信联合激励和失信联合惩戒): serious or repeated violations put an
institution on the dishonesty list; a clean record over a period earns trustworthy status; an
appeal upheld clears what was listed when it was filed. Periods are the bureau's settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CreditRules:
    listing_days: int = 365  # a serious violation keeps the institution listed this long
    repeat_count: int = 3  # this many major-or-worse findings …
    repeat_window_days: int = 365  # … within this many days are repeated violations
    clean_days: int = 365  # a record this long without major findings earns trustworthy status


@dataclass(frozen=True)
class FindingRecord:
    severity: str
    raised_on: dt.date
    open: bool
    description: str
    verified_on: dt.date | None = None  # when its rectification was verified

    def settled_on(self, today: dt.date) -> dt.date:
        """The record is clean of it from the day its rectification was verified."""
        return today if self.open else (self.verified_on or self.raised_on)


LISTING_SEVERITIES = ("major", "critical")  # what can list an institution (serious or repeated violations)


def credit_standing(
    findings: list[FindingRecord],
    cleared_through: dt.date | None,
    known_since: dt.date,
    last_inspected_on: dt.date | None,
    today: dt.date,
    rules: CreditRules,
) -> tuple[str, list[str]]:
    """(`trustworthy` | `normal` | `dishonest`, reasons). Findings raised on or before
    `cleared_through` (the filing day of the last upheld appeal) do not count; trustworthy needs an
    inspection (`last_inspected_on`) within the clean period."""
    counted = [f for f in findings if cleared_through is None or f.raised_on > cleared_through]
    reasons: list[str] = []
    for f in counted:
        if f.severity == "critical" and (f.open or (today - f.raised_on).days < rules.listing_days):
            reasons.append(f"{f.raised_on.isoformat()} 严重问题{'（未整改）' if f.open else ''}：{f.description}")
    recent_serious = [
        f for f in counted if f.severity in LISTING_SEVERITIES and (today - f.raised_on).days < rules.repeat_window_days
    ]
    if len(recent_serious) >= rules.repeat_count:
        reasons.append(f"{rules.repeat_window_days}天内{len(recent_serious)}次较重及以上问题（屡次违规）")
    if reasons:
        return "dishonest", reasons
    clean_from = max([known_since, *(f.settled_on(today) for f in counted if f.severity in LISTING_SEVERITIES)])
    if cleared_through is not None:
        clean_from = max(clean_from, cleared_through)
    # a clean record is one the supervisors looked at: time alone, uninspected, earns no trust (三(三)2 守信联合激励)
    inspected_while_clean = last_inspected_on is not None and last_inspected_on >= clean_from
    if not any(f.open for f in counted) and inspected_while_clean and (today - clean_from).days >= rules.clean_days:
        return "trustworthy", [f"自{clean_from.isoformat()}起{rules.clean_days}天无较重问题、无未整改问题，最近一次检查{last_inspected_on}"]
    return "normal", []


def appeal_decision_problem(department: str | None, decider: str, filed_by: str, raising_agencies: set[str]) -> str | None:
    """Why this caller may not decide an appeal, or None. The decision is the supervising agency's
    whose findings listed the institution (三(三)3–4: each agency supervises within its duty), or the
    health bureau's, whose office coordinates the supervising departments (四(一)); the one who filed the appeal
    does not decide it."""
    if decider == filed_by:
        return "the appeal was filed by you; another official decides it"
    if department not in raising_agencies | {"weijian"}:
        return f"decided by the agency whose findings listed the institution ({', '.join(sorted(raising_agencies))}) or the health bureau"
    return None
