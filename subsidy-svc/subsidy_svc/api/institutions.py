"""The facts the subsidy side holds about an institution (from registration and filing events)."""

from __future__ import annotations

from fastapi import APIRouter

from shared.auth import CurrentPrincipal
from shared.errors import forbidden, not_found
from shared.service import ReadSession
from subsidy_svc.repository import FactRepository, InstitutionRepository
from subsidy_svc.schemas import InstitutionRead

router = APIRouter(prefix="/v1/institutions", tags=["institutions"])
READERS = ("caizheng", "renshe", "weijian")


@router.get("/{uscc}", response_model=InstitutionRead, summary="An institution as the subsidy side knows it")
async def get_institution(uscc: str, principal: CurrentPrincipal, session: ReadSession) -> InstitutionRead:
    if principal.department not in READERS and not principal.has_role("admin"):
        raise forbidden("subsidy facts are for 财政, 人社 and 卫生健康")
    row = await InstitutionRepository(session, principal).get(uscc)
    if row is None:
        raise not_found("institution", uscc)
    facts = FactRepository(session)
    return InstitutionRead.model_validate(
        {
            **{c: getattr(row, c) for c in ("uscc", "name", "county", "nature", "inclusive_declared", "registration_status", "filing_status")},
            "credit_status": row.credit_status,
            "updated_at": row.updated_at,
            "open_critical_findings": await facts.open_critical_findings(uscc),
            "inclusive_years": await facts.designation_years(uscc, "inclusive", "recognised"),
            "demonstration_years": await facts.designation_years(uscc, "demonstration", "confirmed"),
        }
    )
