"""Import of a bureau's existing list from .xlsx: template, per-row report, nothing half imported."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from registration_svc.models import Registration
from tests.factories import new_uscc
from tests.integration.helpers import arrived
from tests.integration.suite import InProcessSuite

CLERK = ("shichang", "441881")


def sheet(header: list[str], rows: list[list]) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def template_header(suite: InProcessSuite, token_for) -> list[str]:  # type: ignore[no-untyped-def]
    response = await suite.http.get(suite.url("registration", "/v1/registrations/import-template"), headers=token_for(*CLERK))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["登记", "说明"]
    return [c.value for c in book["登记"][1]]


def row(uscc: str, **changes: object) -> list:
    values = {
        "uscc": uscc, "name": f"英德市托育{uscc[-4:]}", "nature": "营利性", "registrar": "市场监管", "registrar_region": "441881",
        "county": "441881", "registered_on": "2026-11-02", "address": "英德市某路", "legal_representative": "李四",
        "service_types": "全日托", "infant": 0, "toddler": 10, "older_toddler": 20, "inclusive": "否", "operating_mode": "独资",
        "employer_run": "否", "sponsors": "",
    }
    values.update(changes)
    return list(values.values())


async def count_registered(suite: InProcessSuite, usccs: list[str]) -> int:
    async with suite.runtime("registration").db.reading() as session:
        return (await session.execute(sa.select(sa.func.count()).where(Registration.uscc.in_(usccs)))).scalar_one()


async def upload(suite: InProcessSuite, token_for, content: bytes, **params: str):  # type: ignore[no-untyped-def]
    return await suite.http.post(
        suite.url("registration", "/v1/registrations/imports"),
        params=params,
        files={"file": ("名单.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
        headers=token_for(*CLERK),
    )


async def test_an_import_reports_every_row_and_writes_the_accepted_ones(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    header = await template_header(suite, token_for)
    good = [new_uscc("shichang", "441881") for _ in range(3)]
    bad_check = good[0][:17] + ("0" if good[0][17] != "0" else "1")
    other_county = new_uscc("shichang", "441882")
    content = sheet(
        header,
        [
            row(good[0]),
            row(good[1], service_types="全日托、临时托"),
            row(bad_check.replace(good[0][:2], "91", 1)),
            row(other_county, registrar_region="441882", county="441882"),
            row(good[2], nature="事业单位"),
            row(good[1]),
            row(new_uscc("shichang", "441881"), toddler="十"),
        ],
    )
    dry = await upload(suite, token_for, content, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert (dry.json()["id"], dry.json()["accepted"]) == (None, 2)
    assert await count_registered(suite, good) == 0

    report = (await upload(suite, token_for, content)).json()
    assert (report["rows"], report["accepted"], report["refused"]) == (7, 2, 5)
    by_row = {i["row"]: i for i in report["items"]}
    assert [by_row[n]["status"] for n in range(2, 9)] == ["accepted", "accepted", "refused", "refused", "refused", "refused", "refused"]
    assert by_row[4]["errors"][0]["rule"] == "uscc_check_character"
    assert {e["rule"] for e in by_row[5]["errors"]} == {"acting_within_own_region"}
    assert by_row[6]["errors"][0]["rule"] == "registrar_for_nature"
    assert by_row[7]["errors"][0]["rule"] == "duplicate_in_file"
    assert by_row[8]["errors"][0] == {"field": "places.toddler", "rule": "cell_format", "message": by_row[8]["errors"][0]["message"]}
    assert await count_registered(suite, good) == 2
    await arrived(suite, token_for, good[1])  # imported rows are announced like any registration

    stored = await suite.http.get(suite.url("registration", f"/v1/registrations/imports/{report['id']}"), headers=token_for(*CLERK))
    assert stored.json()["items"] == report["items"]
    again = (await upload(suite, token_for, sheet(header, [row(good[0])]))).json()
    assert again["items"][0]["errors"][0]["rule"] == "duplicate"


async def test_all_or_nothing_writes_nothing_when_a_row_is_refused(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    header = await template_header(suite, token_for)
    fine = new_uscc("shichang", "441881")
    content = sheet(header, [row(fine), row(new_uscc("shichang", "441881"), registered_on="2099-01-01")])
    report = (await upload(suite, token_for, content, all_or_nothing="true")).json()
    assert [i["status"] for i in report["items"]] == ["not_imported", "refused"]
    assert report["accepted"] == 0
    assert await count_registered(suite, [fine]) == 0


async def test_a_file_that_is_not_the_template_is_refused_whole(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    garbage = await upload(suite, token_for, b"PK\x03\x04 not really a workbook")
    assert garbage.status_code == 422 and garbage.json()["errors"][0]["rule"] == "xlsx"
    wrong = await upload(suite, token_for, sheet(["名称", "地址"], [["a", "b"]]))
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["rule"] == "template_columns"


async def test_the_template_as_downloaded_imports_nothing(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    template = await suite.http.get(suite.url("registration", "/v1/registrations/import-template"), headers=token_for(*CLERK))
    book = load_workbook(io.BytesIO(template.content))
    assert book["登记"].max_row == 1  # the header only
    first = next(book["说明"].iter_rows(min_row=2))
    assert (first[0].value, first[3].value) == (book["登记"]["A1"].value, "52441802MJ00000019")  # the example, beside its column
    report = await upload(suite, token_for, template.content, dry_run="true")
    assert report.status_code == 200 and report.json()["rows"] == 0
