"""The operator's commands: migrate a database and create the first administrator."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from gateway.domain.accounts import secret_matches
from services.cli import app


def test_migrate_then_create_the_first_administrator(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TUOYU_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(app, ["migrate", "gateway"]).exit_code == 0
    result = runner.invoke(
        app,
        ["create-account", "--username", "ops-admin", "--department", "weijian", "--region", "441800", "--role", "admin"],
        input="a-long-admin-password\na-long-admin-password\n",
    )
    assert result.exit_code == 0, result.output
    row = sqlite3.connect(tmp_path / "gateway.db").execute("SELECT kind, roles, secret_hash FROM account WHERE username = 'ops-admin'").fetchone()
    assert row[0] == "person" and "admin" in row[1]
    assert secret_matches(row[2], "a-long-admin-password") and row[2].startswith("$argon2id$")
    again = runner.invoke(app, ["create-account", "--username", "ops-admin", "--department", "weijian", "--region", "441800", "--role", "admin", "--secret", "another-long-one"])
    assert again.exit_code != 0  # the name is taken
