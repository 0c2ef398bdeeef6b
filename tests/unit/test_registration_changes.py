"""Amendments, deregistration, the kindergarten ledger and spreadsheet cells, as plain functions."""

from __future__ import annotations

import datetime as dt

from inspection_svc.domain.inbox import arrival_of_kindergarten_class
from registration_svc.domain.importing import COLUMNS, column_for, missing_columns, row_to_registration
from registration_svc.domain.kindergarten import ledger_violations
from registration_svc.domain.registration import acting_for_violations, changed_fields, ending_violations
from shared.events.registration import KindergartenClassSnapshot
from tests.factories import new_uscc

TODAY = dt.date(2026, 11, 28)


def test_only_the_registrars_own_office_acts() -> None:
    assert acting_for_violations("minzheng", "441802", "minzheng", "441802") == []
    assert acting_for_violations("minzheng", "441800", "minzheng", "441802") == []
    assert {v.rule for v in acting_for_violations("shichang", "441803", "minzheng", "441802")} == {
        "acting_for_own_department",
        "acting_within_own_region",
    }
    assert all(v.status == 403 for v in acting_for_violations("jiaoyu", "441802", "minzheng", "441802"))


def test_an_ending_is_of_an_active_record_dated_between_its_start_and_today() -> None:
    start = dt.date(2026, 3, 1)
    assert ending_violations("active", start, dt.date(2026, 11, 1), TODAY, field="on") == []
    assert [v.rule for v in ending_violations("deregistered", start, dt.date(2026, 11, 1), TODAY, field="on")] == ["already_ended"]
    assert [v.rule for v in ending_violations("active", start, dt.date(2026, 2, 1), TODAY, field="on")] == ["not_before_start"]
    assert [v.rule for v in ending_violations("active", start, dt.date(2026, 12, 1), TODAY, field="on")] == ["not_in_future"]


def test_changed_fields_are_only_those_that_differ() -> None:
    before = {"name": "甲", "places": {"infant": 1}, "inclusive": False}
    assert changed_fields(before, {"name": "甲", "places": {"infant": 2}}) == ["places"]
    assert changed_fields(before, {"inclusive": False}) == []


def test_ledger_entries_respect_place_limits_and_location() -> None:
    good = {"uscc": new_uscc("bianban", "441823"), "county": "441823", "ledger_region": "441823", "recorded_on": TODAY, "classes": 2, "places": 40}
    assert ledger_violations(**good, today=TODAY) == []
    assert [v.rule for v in ledger_violations(**{**good, "places": 41}, today=TODAY)] == ["places_per_class"]
    assert [v.field for v in ledger_violations(**{**good, "ledger_region": "441802"}, today=TODAY)] == ["ledger_region"]
    # 三(二)3: the county education bureau keeps the ledger, not the city's
    assert [v.rule for v in ledger_violations(**{**good, "ledger_region": "441800"}, today=TODAY)] == ["ledger_of_county"]


def test_a_kindergarten_class_reaches_the_inbox_as_pushed_by_education() -> None:
    snapshot = KindergartenClassSnapshot(
        uscc="x", name="某幼儿园", ownership="public", county="441823", ledger_region="441823", recorded_on=TODAY,
        address="阳山县", classes=1, places=20, inclusive=True, status="active", version=1,
    )
    arrival = arrival_of_kindergarten_class(snapshot)
    assert (arrival.registrar, arrival.health_region, arrival.kind, arrival.registered_on) == ("jiaoyu", "441823", "kindergarten_class", TODAY)


def test_sheet_cells_in_chinese_or_codes_become_a_registration() -> None:
    header = [column_for(c.label) for c in COLUMNS]
    values = [
        "X", "某托育园", "社会服务机构", "民政", "441802", "441802", dt.datetime(2026, 11, 3), "清城区某路",
        "张三", "全日托、计时托", 5, "10", 15.0, "是", "公办民营", "否", None,
    ]
    body, problems = row_to_registration(header, values)
    assert problems == []
    assert body["nature"] == "social_service" and body["registrar"] == "minzheng"
    assert body["registered_on"] == "2026-11-03"
    assert body["service_types"] == ["full_day", "hourly"]
    assert body["places"] == {"infant": 5, "toddler": 10, "older_toddler": 15}
    assert (body["inclusive"], body["operating_mode"], body["employer_run"]) == (True, "public_private", False)


def test_unreadable_cells_are_named_with_their_column() -> None:
    header = [column_for(c.heading) for c in COLUMNS]
    values = ["X", "", "合伙企业", "民政", "441802", "441802", "2026-13-45", "路", "张三", "全托", "five", 0, 0, "也许", "独资", None, None]
    _, problems = row_to_registration(header, values)
    assert {(p.field, p.rule) for p in problems} == {
        ("name", "required"),
        ("nature", "cell_format"),
        ("registered_on", "cell_format"),
        ("service_types", "cell_format"),
        ("places.infant", "cell_format"),
        ("inclusive", "cell_format"),
    }


def test_a_sheet_without_required_columns_is_refused_whole() -> None:
    header = [column_for(h) for h in ("统一社会信用代码", "name", "未知列")]
    assert "机构性质 (nature)" in missing_columns(header)
    assert "单位办托 (employer_run)" not in missing_columns(header)  # optional
