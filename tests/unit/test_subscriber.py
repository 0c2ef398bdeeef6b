"""`tuoyu subscribe` before it connects: the group convention, the table of readers, the checkpoint
file and forwarding to a command."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from services.cli import app
from services.subscriber import Checkpoint, Output, Refused, check_owner, subscription_for
from shared.subscriptions import readable_topics


def test_a_group_follows_the_convention_and_the_topics_the_table() -> None:
    chosen = subscription_for("gongan.441821.roster", [])
    assert (chosen.department, chosen.region, chosen.topics) == ("gongan", "441821", readable_topics("gongan"))
    with pytest.raises(Refused, match="<department>.<region>.<purpose>"):
        subscription_for("roster", [])
    with pytest.raises(Refused, match="gongan may not read tuoyu.subsidy.ledger"):
        subscription_for("gongan.441821.roster", ["tuoyu.subsidy.ledger"])
    with pytest.raises(Refused, match="no such topic"):
        subscription_for("gongan.441821.roster", ["tuoyu.nothing"])
    with pytest.raises(Refused, match="belongs to weijian.441800"):
        check_owner(subscription_for("weijian.441800.roster", []), "gongan", "441800")


def test_the_command_refuses_with_a_clear_message() -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["subscribe", "--group", "roster"])
    assert refused.exit_code == 2 and "does not follow the convention <department>.<region>.<purpose>" in refused.output
    county = runner.invoke(app, ["subscribe", "--group", "gongan.441821.roster"])
    assert county.exit_code == 2 and "subscribe with --from-feed" in county.output
    other = runner.invoke(app, ["subscribe", "--group", "gongan.441800.roster", "--kafka-username", "weijian-441800", "--bootstrap", "127.0.0.1:1"])
    assert other.exit_code == 2 and "belongs to gongan.441800" in other.output


def test_the_checkpoint_survives_a_restart(tmp_path: Path) -> None:
    saved = Checkpoint(tmp_path / "deep" / "subscriber.json", kafka={"tuoyu.inspection.filing:0": 12}, feed={"inspection": 40})
    saved.save()
    assert Checkpoint.load(saved.path) == saved
    assert Checkpoint.load(tmp_path / "none.json").kafka == {}


async def test_a_failing_command_is_retried_and_the_line_arrives_once(tmp_path: Path) -> None:
    received, failed = tmp_path / "received.jsonl", tmp_path / "failed"
    command = f"test -e {failed} || {{ touch {failed}; exit 1; }}; cat >> {received}"
    await Output(io.BytesIO(), command, backoff_s=(0.01,)).deliver({"id": "e-1", "data": {"name": "阳光托育"}})
    assert failed.exists() and [orjson.loads(line) for line in received.read_bytes().splitlines()] == [{"id": "e-1", "data": {"name": "阳光托育"}}]
    printed = io.BytesIO()
    await Output(printed).deliver({"id": "e-2"})
    assert printed.getvalue() == b'{"id":"e-2"}\n'
