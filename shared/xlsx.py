"""Spreadsheets in and out (.xlsx, openpyxl): bureaus keep their lists in Excel."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# openpyxl is imported where a workbook is made or read, not with the module: it would add
# ~6 MB to every service process for the few requests that export or import a sheet.

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# money goes in as Decimal yuan (exact fen, never a float) and shows as the bureaus write it
MONEY_FORMAT = "#,##0.00"


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    # column index (0-based) → allowed values, offered as a drop-down list
    choices: dict[int, Sequence[str]] = field(default_factory=dict)


def workbook_bytes(*sheets: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        ws = book.create_sheet(spec.title)
        ws.append(list(spec.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in spec.rows:
            # text as stored, less the control characters a worksheet cannot hold
            ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":  # text a user typed is never a formula in the bureau's Excel
                    cell.data_type = "s"
                elif isinstance(cell.value, Decimal):
                    cell.number_format = MONEY_FORMAT
        for index, title in enumerate(spec.header, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(str(title)) * 2))
        for index, allowed in spec.choices.items():
            letter = get_column_letter(index + 1)
            rule = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True)
            ws.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}5000")
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class UnreadableWorkbook(ValueError):
    pass


def read_first_sheet(content: bytes, max_rows: int) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the non-empty rows (with their sheet row numbers) of the first sheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not xlsx
        raise UnreadableWorkbook(f"not a readable .xlsx file ({type(exc).__name__})") from exc
    try:
        ws = book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        body = []
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(body) >= max_rows:
                raise UnreadableWorkbook(f"more than {max_rows} rows: split the list")
            body.append((number, list(values)))
        return header, body
    finally:
        book.close()
