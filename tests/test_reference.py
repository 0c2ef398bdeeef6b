"""The README's endpoint and topic sections say what the code serves and publishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.reference import endpoints_markdown, topics_markdown, with_reference

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_lists_what_the_code_serves_and_publishes() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_reference(text) == text, "README.md is out of date: run `tuoyu reference` and commit it"


def test_every_route_and_topic_is_in_the_generated_sections() -> None:
    endpoints = endpoints_markdown()
    # one route of each process, the shared ones listed once, and every topic
    assert "| POST | `/auth/token` |" in endpoints
    assert "| POST | `/api/registration/v1/registrations` |" in endpoints
    assert "| GET | `/api/inspection/v1/inbox` |" in endpoints
    assert "| POST | `/api/subsidy/v1/disbursement-batches` |" in endpoints
    assert "| POST | `/api/training/v1/practitioners` |" in endpoints
    assert endpoints.count("| GET | `/v1/events` |") == 1
    assert "`tuoyu.training.certificate.issued.v1`" in topics_markdown()


def test_a_readme_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="endpoints"):
        with_reference("# nothing generated here\n")
