"""Spreadsheets leave the platform inert: what a user typed stays text, whatever it looks like."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from shared.xlsx import Sheet, workbook_bytes


def test_typed_text_is_never_a_formula_and_control_characters_are_dropped() -> None:
    content = workbook_bytes(Sheet("名单", ["名称", "备注", "托位"], [['=HYPERLINK("http://evil")', "甲\x01乙", 30]]))
    cells = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2))[0]
    assert [(c.value, c.data_type) for c in cells] == [('=HYPERLINK("http://evil")', "s"), ("甲乙", "s"), (30, "n")]


def test_money_is_exact_and_shown_in_yuan() -> None:
    content = workbook_bytes(Sheet("奖补", ["项目", "金额（元）", "人数"], [["示范奖补", Decimal("50000.07"), 3]]))
    cells = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2))[0]
    # an exact Decimal (no binary-float drift), shown with thousands and two decimals; counts untouched
    assert (cells[1].value, cells[1].number_format) == (50000.07, "#,##0.00")
    assert cells[2].number_format == "General"
