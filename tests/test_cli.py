"""The operator's commands: migrate a database, create the first administrator, make signing keys."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.domain.accounts import secret_matches
from services.cli import app
from shared.auth import Principal, TokenIssuer, TokenVerifier
from shared.errors import Problem


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


def test_keys_prints_a_new_pair_that_signs_and_verifies() -> None:
    runner = CliRunner()
    first, second = (json.loads(runner.invoke(app, ["keys"]).output) for _ in range(2))
    assert first["TUOYU_JWT_PRIVATE_KEY"] != second["TUOYU_JWT_PRIVATE_KEY"]  # new each time
    issuer = TokenIssuer(first["TUOYU_JWT_PRIVATE_KEY"], issuer="tuoyu", audience="tuoyu", ttl_s=60)
    principal = Principal(sub="u1", kind="person", department="weijian", region="441800", roles=frozenset({"clerk"}))
    token, _ = issuer.issue(principal)
    assert TokenVerifier(first["TUOYU_JWT_PUBLIC_KEY"], issuer="tuoyu", audience="tuoyu").verify(token).sub == "u1"
    with pytest.raises(Problem):  # the other pair's public key does not verify it
        TokenVerifier(second["TUOYU_JWT_PUBLIC_KEY"], issuer="tuoyu", audience="tuoyu").verify(token)
