"""The bench's outputs: one table (text), the same rows as JSON, and a small SVG chart of the
ratios against their targets."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from bench.model import BenchConfig, Row


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("ms", "s", "cores") and value < 10:
        return f"{value:.2f}"
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def table(rows: list[Row]) -> str:
    head = ["backend", "scenario", "metric", "unit", "suite", "baseline", "ratio", "target", "met"]
    body = [
        [
            r.backend,
            r.scenario,
            r.metric,
            r.unit,
            _figure(r.suite, r.unit),
            _figure(r.baseline, r.unit),
            "-" if r.ratio is None else f"{r.ratio:.2f}×",
            r.target.describe(r.unit) if r.target else "",
            {True: "yes", False: "NO", None: ""}[r.met],
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in body)) if body else len(h) for i, h in enumerate(head)]
    right = {4, 5, 6}

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    lines = [fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body)]
    notes = [f"  {r.backend}/{r.scenario}: {r.note}{_load(r)}" for r in rows if r.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def _load(row: Row) -> str:
    c = row.conditions
    return f" [machine busy before: {c['busy_cores_before']:.2f} cores]" if c else ""


def markdown(rows: list[Row]) -> str:
    head = "| backend | scenario | metric | suite | baseline | ratio | target | met |"
    lines = [head, "|---|---|---|---:|---:|---:|---|---|"]
    for r in rows:
        unit = f" {r.unit}" if r.unit else ""
        lines.append(
            f"| {r.backend} | {r.scenario} | {r.metric} | {_figure(r.suite, r.unit)}{unit if r.suite is not None else ''} | "
            f"{_figure(r.baseline, r.unit)}{unit if r.baseline is not None else ''} | {'-' if r.ratio is None else f'{r.ratio:.2f}×'} | "
            f"{r.target.describe(r.unit) if r.target else ''} | {({True: 'yes', False: '**no**', None: ''})[r.met]} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "processor": platform.processor() or platform.machine(),
    }


def document(rows: list[Row], config: BenchConfig, started: dt.datetime) -> dict[str, Any]:
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {
            "backends": list(config.backends),
            "scenarios": list(config.scenarios),
            "seconds": config.seconds,
            "rate": config.rate,
            "clients": config.clients,
            "backlog": config.backlog,
            "report_rows": config.report_rows,
            "repeat": config.repeat,
        },
        "rows": [r.as_json() for r in rows],
    }


def svg(rows: list[Row], title: str) -> str:
    """Horizontal bars of suite/baseline per row, a tick at the target ratio; green where the
    target is met, red where it is not, grey where there is none."""
    shown = [r for r in rows if r.ratio is not None]
    bar_h, gap, left, width, top = 18, 6, 330, 360, 40
    scale_max = max([1.0, *(r.ratio for r in shown if r.ratio), *(r.target.value for r in shown if r.target and r.target.kind != "suite_max")])
    scale_max = min(scale_max * 1.1, 50.0)
    height = top + len(shown) * (bar_h + gap) + 30

    def x(ratio: float) -> float:
        return left + width * min(ratio, scale_max) / scale_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{html.escape(title)}</text>',
        f'<line x1="{x(1):.1f}" y1="{top - 8}" x2="{x(1):.1f}" y2="{height - 24}" stroke="#888" stroke-dasharray="3,3"/>',
        f'<text x="{x(1):.1f}" y="{height - 10}" text-anchor="middle" fill="#555">1× (baseline)</text>',
    ]
    for i, r in enumerate(shown):
        y = top + i * (bar_h + gap)
        colour = {True: "#2e7d32", False: "#c62828", None: "#9e9e9e"}[r.met]
        label = html.escape(f"{r.backend} · {r.scenario} · {r.metric}")
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{max(1.0, x(r.ratio) - left):.1f}" height="{bar_h}" fill="{colour}"/>')  # type: ignore[arg-type]
        parts.append(f'<text x="{x(r.ratio) + 4:.1f}" y="{y + 13}">{r.ratio:.2f}×</text>')  # type: ignore[arg-type]
        if r.target and r.target.kind != "suite_max":
            tx = x(r.target.value)
            parts.append(f'<line x1="{tx:.1f}" y1="{y - 2}" x2="{tx:.1f}" y2="{y + bar_h + 2}" stroke="#000" stroke-width="2"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write(rows: list[Row], config: BenchConfig, started: dt.datetime, directory: Path) -> dict[str, Path]:
    """bench-<time>.txt / .json / .svg in `directory`, and `latest.*` copies."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    title = f"tuoyu bench {started:%Y-%m-%d %H:%M} · {', '.join(config.backends)} · suite ÷ baseline"
    contents = {
        "txt": table(rows) + "\n",
        "json": json.dumps(document(rows, config, started), ensure_ascii=False, indent=1) + "\n",
        "svg": svg(rows, title),
    }
    paths = {}
    for ext, text in contents.items():
        path = directory / f"bench-{stamp}.{ext}"
        path.write_text(text, encoding="utf-8")
        (directory / f"latest.{ext}").write_text(text, encoding="utf-8")
        paths[ext] = path
    return paths
