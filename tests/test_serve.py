"""A service process (`python -m services.serve`) loads no optional extra it never uses."""

from __future__ import annotations

import json
import subprocess
import sys

from services.catalogue import SUITE

APPS = [info.app_factory.split(":")[0] for info in SUITE]


def test_service_processes_load_no_rich_pygments_or_httpx_cli() -> None:
    script = (
        "import json, sys; from services.serve import keep_out_optional_extras; keep_out_optional_extras()\n"
        f"for app in {APPS!r}: __import__(app)\n"
        "import structlog, httpx; structlog.get_logger('t').error('logged without rich', exc_info=ValueError('x'))\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules if sys.modules[m] is not None})))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert {"structlog", "httpx", "fastapi", "sqlalchemy"} <= loaded
    assert not loaded & {"rich", "pygments", "click"}, loaded & {"rich", "pygments", "click"}


def test_serve_knows_the_suites_processes() -> None:
    result = subprocess.run([sys.executable, "-m", "services.serve", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and all(info.name in result.stdout for info in SUITE)
    wrong = subprocess.run([sys.executable, "-m", "services.serve", "nosuch"], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr
