"""Certificates as the subsidy side knows them (the ground of training subsidies)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import CurrentPrincipal, allow_departments
from shared.service import ReadSession
from subsidy_svc.repository import CertificateRepository
from subsidy_svc.schemas import CertificateFactRead, CertificatePage

router = APIRouter(prefix="/v1/certificates", tags=["certificates"])


@router.get(
    "",
    dependencies=[allow_departments("caizheng", "renshe")],  # training subsidies are 人社 and 财政's
    response_model=CertificatePage,
    summary="Certificates as announced by the workforce service, a county office's own county's; by practitioner",
)
async def certificates(
    principal: CurrentPrincipal,
    session: ReadSession,
    practitioner_id: str | None = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CertificatePage:
    rows = await CertificateRepository(session, principal).page(practitioner_id=practitioner_id, after=after, limit=limit)
    return CertificatePage(items=[CertificateFactRead.model_validate(c) for c in rows], next=rows[-1].certificate_id if len(rows) == limit else None)
