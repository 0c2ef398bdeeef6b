"""What a benchmark produces: rows of a figure for the suite, the same figure for its baseline,
their ratio, and the target the issue set for it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Target:
    """`ratio_max`: suite/baseline at most `value`; `ratio_min`: at least `value`;
    `suite_max`: the suite's own figure below `value` (in the row's unit)."""

    kind: str
    value: float

    def met(self, row: Row) -> bool | None:
        if self.kind == "suite_max":
            return None if row.suite is None else row.suite < self.value
        ratio = row.ratio
        if ratio is None:
            return None
        return ratio <= self.value if self.kind == "ratio_max" else ratio >= self.value

    def describe(self, unit: str) -> str:
        if self.kind == "suite_max":
            return f"< {self.value:g} {unit}"
        return f"{'≤' if self.kind == 'ratio_max' else '≥'} {self.value:g}×"


@dataclass
class Row:
    backend: str
    scenario: str
    metric: str
    unit: str
    suite: float | None
    baseline: float | None
    target: Target | None = None
    note: str = ""
    conditions: dict[str, float] = field(default_factory=dict)  # the machine before it ran (cores busy with other work)

    @property
    def ratio(self) -> float | None:
        if self.suite is None or not self.baseline:
            return None
        return self.suite / self.baseline

    @property
    def failed(self) -> bool:
        return self.metric == FAILED

    @property
    def met(self) -> bool | None:
        return self.target.met(self) if self.target is not None else None

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "scenario": self.scenario,
            "metric": self.metric,
            "unit": self.unit,
            "suite": self.suite,
            "baseline": self.baseline,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "target": None if self.target is None else {"kind": self.target.kind, "value": self.target.value, "text": self.target.describe(self.unit)},
            "met": self.met,
            "note": self.note,
            "conditions": self.conditions,
        }


FAILED = "(did not finish)"


def failed(backend: str, scenario: str, error: str) -> Row:
    """A scenario that could not finish: one row saying why."""
    return Row(backend, scenario, FAILED, "", None, None, None, error)


@dataclass
class BenchConfig:
    """What to run and for how long. The defaults are the issue's; tests shrink them."""

    backends: tuple[str, ...] = ("sqlite",)
    scenarios: tuple[str, ...] = ()  # empty: all
    seconds: float = 15.0  # each measurement phase
    rate: float = 20.0  # propagation: registrations per second
    clients: int = 16  # concurrent clients for throughput and requests/s
    backlog: int = 20_000  # catch-up: events behind
    report_rows: int = 100_000  # reports: registrations (and applications) in the databases
    repeat: int = 1  # runs of each scenario, interleaved; each row is the run of the median figure


def median_of_runs(runs: list[list[Row]]) -> list[Row]:
    """One row per (backend, scenario, metric) out of several runs of the same scenarios: the run
    whose figure is the median (the ratio, or the suite's own figure where there is no baseline;
    the lower of the middle two for an even count), its note telling every run's figure. Runs
    that did not finish are counted in it; a scenario none of whose runs finished stays a failed row."""
    if len(runs) == 1:
        return runs[0]
    by_metric: dict[tuple[str, str, str], list[Row]] = {}  # in the order the rows first came
    for row in (row for rows in runs for row in rows):
        by_metric.setdefault((row.backend, row.scenario, row.metric), []).append(row)
    finished = {(backend, scenario) for backend, scenario, metric in by_metric if metric != FAILED}
    combined = []
    for (backend, scenario, metric), rows in by_metric.items():
        if metric == FAILED:
            if (backend, scenario) not in finished:
                combined.append(rows[0])
            continue
        by_ratio = all(r.ratio is not None for r in rows)
        figures = [(r.ratio if by_ratio else r.suite) or 0.0 for r in rows]
        median = rows[figures.index(statistics.median_low(figures))]
        shown = ", ".join(f"{f:.2f}×" if by_ratio else f"{f:.1f} {median.unit}" for f in figures)
        missing = len(by_metric.get((backend, scenario, FAILED), []))
        extra = f"; {missing} more did not finish" if missing else ""
        runs_told = f"[median of {len(rows)} runs: {shown}{extra}]"
        combined.append(replace(median, note=f"{median.note} {runs_told}" if median.note else runs_told))
    return combined
