"""The audit log (administrators only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from coopgov.platform.api.deps import CallerDep, StoreDep, envelope
from coopgov.platform.api.models import READ_ERRORS, AuditPage
from coopgov.platform.api.queries import AuditQuery

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "", summary="Audit log (administrators)", response_model=AuditPage, responses=READ_ERRORS
)
def audit_log(
    store: StoreDep, caller: CallerDep, query: Annotated[AuditQuery, Query()]
) -> dict[str, Any]:
    """Every write and refused write: who, what, when, from which request; newest first."""
    caller.require_admin()
    rows = store.audit_log(limit=query.limit, offset=query.offset, action=query.action)
    return envelope(rows, page=query.page, limit=query.limit)
