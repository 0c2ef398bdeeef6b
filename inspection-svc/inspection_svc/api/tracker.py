"""The joint meeting's policy-goal tracker (联席会议): figures against the plan's targets, the trend,
the records behind each figure, the meeting's spreadsheet, and the targets the office edits."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response

from inspection_svc.commands import tracker
from inspection_svc.schemas import TargetBody, TargetCreate, TargetRead, TrackerRead, TrackerRecordsRead, TrendRead
from shared.auth import CurrentPrincipal
from shared.service import ReadSession, WriteSession
from shared.timeutil import today_in_china
from shared.xlsx import XLSX, Sheet, workbook_bytes

router = APIRouter(prefix="/v1/tracker", tags=["tracker"])
Year = Annotated[int, Query(ge=2020, le=2100, description="the plan's year; the current one shows today's figures")]
Region = Annotated[str | None, Query(pattern=r"^\d{6}$", description="a county; the city when absent")]
STATUS = {"upcoming": "未到期", "met": "已达成", "in_progress": "推进中", "overdue": "逾期未达成"}


@router.get("", response_model=TrackerRead, summary="Figures per county and for the city, with the targets' standing")
async def figures(principal: CurrentPrincipal, session: ReadSession, year: Year) -> TrackerRead:
    return await tracker.tracker(session, principal, year, today_in_china())


@router.get("/trend", response_model=TrendRead, summary="Month by month through the year")
async def trend(principal: CurrentPrincipal, session: ReadSession, year: Year, region: Region = None) -> TrendRead:
    return await tracker.trend(session, principal, year, region, today_in_china())


@router.get("/records", response_model=TrackerRecordsRead, summary="The records behind one figure")
async def records(
    principal: CurrentPrincipal,
    session: ReadSession,
    year: Year,
    indicator: Annotated[str, Query(max_length=40)],
    region: Region = None,
    after: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TrackerRecordsRead:
    return await tracker.records(session, principal, year, indicator, region, after, limit, today_in_china())


@router.get("/export.xlsx", summary="The figures and targets as a spreadsheet for the meeting", response_class=Response)
async def export(principal: CurrentPrincipal, session: ReadSession, year: Year) -> Response:
    report = await tracker.tracker(session, principal, year, today_in_china())
    keys = [i.key for i in report.indicators]
    figures = Sheet(
        f"{year} 指标",
        ["区域", "区域代码", *[f"{i.title}" for i in report.indicators]],
        [[row.name, row.region, *[row.figures.get(k) for k in keys]] for row in report.rows],
    )
    targets = Sheet(
        f"{year} 目标",
        ["目标", "依据", "指标", "范围", "目标值", "起始年", "完成年", "状态", "未达成区域"],
        [
            [t.title, t.clause, t.indicator, t.scope, t.threshold, t.from_year, t.due_year, STATUS.get(t.status or "", ""),
             "、".join(r.region for r in t.regions if not r.met)]
            for t in report.targets
        ],
    )
    content = await asyncio.to_thread(workbook_bytes, figures, targets)
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="tracker-{year}.xlsx"'})


@router.get("/targets", response_model=list[TargetRead], summary="The targets (the plan's milestones, as the office keeps them)")
async def targets(principal: CurrentPrincipal, session: ReadSession) -> list[TargetRead]:
    return await tracker.list_targets(session, principal)


@router.post("/targets", status_code=201, response_model=TargetRead, summary="Add a target (the joint meeting's office)")
async def create_target(body: TargetCreate, principal: CurrentPrincipal, session: WriteSession) -> TargetRead:
    return await tracker.create_target(session, principal, body)


@router.put("/targets/{code}", response_model=TargetRead, summary="Change a target (the joint meeting's office)")
async def update_target(code: str, body: TargetBody, principal: CurrentPrincipal, session: WriteSession) -> TargetRead:
    return await tracker.update_target(session, principal, code, body)


@router.delete("/targets/{code}", status_code=204, summary="Retire a target (the joint meeting's office)")
async def delete_target(code: str, principal: CurrentPrincipal, session: WriteSession) -> Response:
    await tracker.delete_target(session, principal, code)
    return Response(status_code=204)
