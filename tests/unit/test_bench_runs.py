"""`tuoyu bench --repeat N`: each figure is the run of the median one, and says what every run gave."""

from __future__ import annotations

from bench.model import Row, Target, failed, median_of_runs

AT_LEAST_HALF = Target("ratio_min", 0.5)


def throughput(suite: float, baseline: float) -> Row:
    return Row("sqlite", "throughput", "registrations/s, end to end", "/s", suite, baseline, AT_LEAST_HALF, "16 clients")


def test_one_run_is_given_back_as_it_is() -> None:
    rows = [throughput(300, 500)]
    assert median_of_runs([rows]) == rows


def test_the_row_kept_is_the_run_of_the_median_ratio_and_its_note_gives_every_run() -> None:
    runs = [[throughput(200, 500)], [throughput(330, 500)], [throughput(300, 600)]]  # 0.40×, 0.66×, 0.50×

    (row,) = median_of_runs(runs)

    assert (row.suite, row.baseline) == (300, 600)  # the ratio and its two figures come from one run
    assert row.met is True
    assert row.note == "16 clients [median of 3 runs: 0.40×, 0.66×, 0.50×]"


def test_of_an_even_count_the_lower_middle_run_is_kept() -> None:
    runs = [[throughput(330, 500)], [throughput(240, 500)], [throughput(250, 500)], [throughput(400, 500)]]
    (row,) = median_of_runs(runs)
    assert row.suite == 250  # 0.50×, not the 0.58× between the middle two


def test_a_figure_without_a_baseline_takes_the_median_of_the_suites_own() -> None:
    rest = [Row("sqlite", "memory", "suite RSS at rest", "MB", mb, None, Target("suite_max", 600)) for mb in (580.0, 610.0, 590.0)]
    (row,) = median_of_runs([[r] for r in rest])
    assert row.suite == 590.0 and row.met is True
    assert row.note == "[median of 3 runs: 580.0 MB, 610.0 MB, 590.0 MB]"  # a row without a note of its own


def test_runs_that_did_not_finish_are_counted_and_a_scenario_that_never_finished_stays_failed() -> None:
    runs = [
        [throughput(300, 500), failed("sqlite", "catchup", "stopped after its budget")],
        [failed("sqlite", "throughput", "ConnectError"), failed("sqlite", "catchup", "stopped after its budget")],
        [throughput(200, 500), failed("sqlite", "catchup", "stopped after its budget")],
    ]

    rows = median_of_runs(runs)

    assert [(r.scenario, r.failed) for r in rows] == [("throughput", False), ("catchup", True)]  # in the runs' order
    kept = rows[0]
    assert kept.suite == 200  # the lower of two finished runs
    assert kept.note.endswith("[median of 2 runs: 0.60×, 0.40×; 1 more did not finish]")
