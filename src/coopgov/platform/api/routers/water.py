"""Water sections with their GB 3838-2002 class (published, public)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from coopgov.platform.api.deps import CallerDep, StoreDep, envelope
from coopgov.platform.api.models import READ_ERRORS, WaterPage
from coopgov.platform.api.queries import WaterQuery
from coopgov.platform.published import water_sections
from coopgov.platform.store import EARLIEST_DAY

router = APIRouter(prefix="/v1/water", tags=["water"])


@router.get(
    "/sections",
    summary="Water sections and their class (public)",
    response_model=WaterPage,
    responses=READ_ERRORS,
)
def sections(
    store: StoreDep, caller: CallerDep, query: Annotated[WaterQuery, Query()]
) -> dict[str, Any]:
    """Single-factor class of each section over the range (default: the last 30 days)."""
    end = query.date_to or (datetime.now(UTC) + timedelta(hours=8)).date()
    start = query.date_from or max(end - timedelta(days=29), EARLIEST_DAY)
    return envelope(water_sections(store, start, end, adcode=query.adcode))
