"""Import of a bureau's existing list from .xlsx (the template is served here too).

Every row is checked like a registration made through the API; the accepted rows are written in
one transaction with their events, so an import is never half done; `all_or_nothing` writes
nothing when any row is refused, and `dry_run` only reports.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from pydantic import ValidationError

from registration_svc import commands
from registration_svc.domain.importing import COLUMNS, column_for, missing_columns, row_to_registration, template_example
from registration_svc.domain.registration import Violation, as_problem_errors, uscc_held_violation
from registration_svc.models import ImportBatch
from registration_svc.repository import ImportRepository, held
from registration_svc.schemas import ImportReport, ImportRow, RegistrationCreate
from shared.auth import CurrentPrincipal
from shared.db import utcnow
from shared.errors import Problem, field_problem, not_found
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china
from shared.xlsx import XLSX, Sheet, UnreadableWorkbook, read_first_sheet, workbook_bytes

router = APIRouter(prefix="/v1/registrations", tags=["import"])
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


@router.get("/import-template", summary="The .xlsx template for importing a list", response_class=Response)
async def import_template() -> Response:
    # The example row is in the legend, beside each column, not in the data sheet: a template sent
    # back as downloaded imports nothing (its example USCC is a valid one, and was imported).
    legend = [
        (c.heading, "、".join(c.choices) if c.choices else "", "必填" if c.required else "选填", example)
        for c, example in zip(COLUMNS, template_example(), strict=True)
    ]
    content = await asyncio.to_thread(
        workbook_bytes,
        Sheet(
            "登记",
            [c.heading for c in COLUMNS],
            choices={i: list(c.choices) for i, c in enumerate(COLUMNS) if c.kind == "code" and c.choices},
        ),
        Sheet("说明", ["列", "可选值", "是否必填", "示例"], legend),
    )
    return Response(content, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="registration-import-template.xlsx"'})


def _pydantic_violations(exc: ValidationError) -> list[Violation]:
    return [
        Violation(".".join(str(p) for p in e["loc"]) or "row", e["type"], e["msg"])
        for e in exc.errors()
    ]


@router.post("/imports", response_model=ImportReport, summary="Import a bureau's list (.xlsx), with a per-row report")
async def import_registrations(
    principal: CurrentPrincipal,
    session: WriteSession,
    request: Request,
    file: Annotated[UploadFile, File(description="the filled-in template")],
    dry_run: Annotated[bool, Query(description="check and report only")] = False,
    all_or_nothing: Annotated[bool, Query(description="write nothing if any row is refused")] = False,
) -> ImportReport:
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise Problem(413, "payload-too-large", "File too large", f"at most {MAX_BYTES // (1024 * 1024)} MB")
    try:
        header_cells, rows = await asyncio.to_thread(read_first_sheet, content, MAX_ROWS)
    except UnreadableWorkbook as exc:
        raise field_problem("file", "xlsx", str(exc)) from exc
    header = [column_for(h) for h in header_cells]
    if missing := missing_columns(header):
        raise field_problem("file", "template_columns", "missing columns: " + ", ".join(missing))

    today = today_in_china()
    parsed: list[tuple[int, RegistrationCreate | None, str | None, list[Violation]]] = []
    for number, values in rows:
        body, problems = row_to_registration(header, values)
        registration = None
        if not problems:
            try:
                registration = RegistrationCreate.model_validate(body)
            except ValidationError as exc:
                problems = _pydantic_violations(exc)
        if registration is not None:
            problems = commands.new_registration_violations(principal, registration, today)
        parsed.append((number, registration, body.get("uscc"), problems))

    taken = await held(session, (r.uscc for _, r, _, _ in parsed if r is not None))
    seen: set[str] = set()
    items: list[ImportRow] = []
    accepted: list[RegistrationCreate] = []
    for number, registration, uscc, problems in parsed:
        if registration is not None and not problems:
            if taken.get(registration.uscc) == "registration":
                problems = [Violation("uscc", "duplicate", f"{registration.uscc} is already registered", 409)]
            elif registration.uscc in taken:
                problems = [uscc_held_violation(registration.uscc, taken[registration.uscc])]
            elif registration.uscc in seen:
                problems = [Violation("uscc", "duplicate_in_file", f"{registration.uscc} appears twice in the file", 409)]
        if problems:
            items.append(ImportRow(row=number, uscc=uscc, status="refused", errors=as_problem_errors(problems)))
            continue
        assert registration is not None
        seen.add(registration.uscc)
        accepted.append(registration)
        items.append(ImportRow(row=number, uscc=registration.uscc, status="accepted"))

    refused = len(items) - len(accepted)
    if all_or_nothing and refused:
        items = [i if i.status == "refused" else i.model_copy(update={"status": "not_imported"}) for i in items]
        accepted = []
    report = ImportReport(
        id=None,
        filename=file.filename or "upload.xlsx",
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        rows=len(items),
        accepted=len(accepted),
        refused=refused,
        items=items,
    )
    if dry_run:
        return report
    traceparent = request.headers.get("traceparent")
    for registration in accepted:
        await commands.add_registration(session, principal, registration, traceparent)
    report.id = str(uuid.uuid4())
    ImportRepository(session, principal).add(
        ImportBatch(
            id=report.id,
            filename=report.filename[:200],
            actor=principal.sub,
            region=principal.region,
            rows=report.rows,
            accepted=report.accepted,
            refused=report.refused,
            all_or_nothing=all_or_nothing,
            report=[i.model_dump() for i in items],
            created_at=utcnow(),
        )
    )
    return report


@router.get("/imports/{batch_id}", response_model=ImportReport, summary="The report of an earlier import")
async def get_import(batch_id: str, principal: CurrentPrincipal, session: ReadSession) -> ImportReport:
    batch = await ImportRepository(session, principal).get(batch_id)
    if batch is None:
        raise not_found("import", batch_id)
    return ImportReport(
        id=batch.id,
        filename=batch.filename,
        dry_run=False,
        all_or_nothing=batch.all_or_nothing,
        rows=batch.rows,
        accepted=batch.accepted,
        refused=batch.refused,
        items=[ImportRow.model_validate(i) for i in batch.report],
    )
