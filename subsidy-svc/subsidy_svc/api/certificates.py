"""Certificates as the subsidy side knows them (the ground of training subsidies)."""

from __future__ import annotations

from fastapi import APIRouter

from shared.auth import CurrentPrincipal
from shared.errors import forbidden
from shared.service import ReadSession
from subsidy_svc.repository import CertificateRepository
from subsidy_svc.schemas import CertificateFactRead

router = APIRouter(prefix="/v1/certificates", tags=["certificates"])


@router.get("", response_model=list[CertificateFactRead], summary="A practitioner's certificates, as announced by the workforce service")
async def certificates(practitioner_id: str, principal: CurrentPrincipal, session: ReadSession) -> list[CertificateFactRead]:
    if principal.department not in ("caizheng", "renshe") and not principal.has_role("admin"):
        raise forbidden("training subsidies are 人社 and 财政's")
    return [CertificateFactRead.model_validate(c) for c in await CertificateRepository(session).of_practitioner(practitioner_id)]
