"""`tuoyu bench` end to end with tiny parameters: every scenario runs on SQLite, stops by itself,
and the table, the JSON and the SVG hold the expected rows. The figures themselves are not
checked: how fast anything was is the bench's to report, not a test's to assert."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench.harness import run_and_write
from bench.model import BenchConfig
from bench.report import table
from tests.conftest import BACKENDS

EXPECTED = {
    ("propagation", "commit → health inbox p50"),
    ("propagation", "commit → health inbox p99"),
    ("throughput", "registrations/s, end to end"),
    ("throughput", "write latency p50 under load"),
    ("gateway", "read p50 (gateway vs direct)"),
    ("gateway", "reads/s (gateway vs direct)"),
    ("catchup", "events/s applied from a backlog"),
    ("reports", "push-compliance report p50"),
    ("reports", "subsidy report p50"),
    ("memory", "suite RSS at rest"),
    ("memory", "suite RSS under scenario 2"),
    ("memory", "suite CPU at rest"),
    ("memory", "tuoyu up → all healthy"),
}


def test_every_scenario_runs_and_the_table_json_and_svg_are_written(tmp_path: Path) -> None:
    config = BenchConfig(backends=("sqlite",), seconds=1.0, rate=10.0, clients=2, backlog=200, report_rows=300)
    rows, paths = run_and_write(config, tmp_path)

    assert not [r.note for r in rows if r.failed]
    assert {(r.scenario, r.metric) for r in rows} == EXPECTED
    assert all(r.suite is not None and r.baseline is not None for r in rows), [r for r in rows if r.suite is None or r.baseline is None]
    assert {r.scenario: r.met for r in rows if r.target is not None}  # targets are evaluated (either way)

    text = paths["txt"].read_text(encoding="utf-8")
    assert text == table(rows) + "\n"
    assert all(metric in text for _, metric in EXPECTED)

    document = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert document["config"]["backends"] == ["sqlite"]
    assert document["machine"]["cpus"]
    assert {(r["scenario"], r["metric"]) for r in document["rows"]} == EXPECTED
    assert all({"suite", "baseline", "ratio", "target", "met", "conditions"} <= set(r) for r in document["rows"])

    chart = ET.fromstring(paths["svg"].read_text(encoding="utf-8"))
    bars = chart.findall("{http://www.w3.org/2000/svg}rect")
    assert len(bars) == sum(1 for r in rows if r.ratio is not None)
    for ext in ("txt", "json", "svg"):
        assert (tmp_path / f"latest.{ext}").read_text(encoding="utf-8") == paths[ext].read_text(encoding="utf-8")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_in_process_measure_registers_every_time_and_gives_a_figure_a_round(backend: str) -> None:
    """`python -m bench.inprocess [--postgresql]`: each registration is answered 201 (else it
    raises), and each round gives a CPU figure for one at a time and sixteen at once."""
    from bench.inprocess import measure

    figures = await measure(48, backend, rounds=2)
    assert len(figures) == 2 and all(one > 0 and many > 0 for one, many in figures)


def test_the_in_process_measure_counts_the_instructions_of_a_registration() -> None:
    """`python -m bench.inprocess --instructions`: the process runs under callgrind twice and the
    count of the registrations alone comes out (a registration is some millions of instructions;
    the count is only there if the measured part was switched on and off by the process itself)."""
    from bench.inprocess import instructions

    per_registration = instructions(10)
    assert 500_000 < per_registration < 50_000_000


@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_in_process_consumer_measure_applies_every_event_and_gives_a_figure_a_round(backend: str) -> None:
    """`python -m bench.consumer [--postgresql]`: both sides hold a health-inbox row for every
    event (else it raises), and each round gives a CPU figure for each side."""
    from bench.consumer import measure

    figures = await measure(1000, backend, rounds=2)
    assert len(figures) == 2 and all(suite > 0 and bare > 0 for suite, bare in figures)
