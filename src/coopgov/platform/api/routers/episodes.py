"""City warning levels and regional episodes with linked action (published, public)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from coopgov.platform.api.deps import CallerDep, StoreDep, envelope
from coopgov.platform.api.models import READ_ERRORS, EpisodePage, WarningPage
from coopgov.platform.api.queries import DateRange, EpisodeQuery, WarningQuery
from coopgov.platform.published import city_warnings, regional_episodes
from coopgov.platform.store import EARLIEST_DAY

router = APIRouter(tags=["warnings"])
log = logging.getLogger("coopgov.platform")


def _range(query: DateRange, default_days: int) -> tuple[date, date]:
    end = query.date_to or (datetime.now(UTC) + timedelta(hours=8)).date()
    start = query.date_from or max(end - timedelta(days=default_days - 1), EARLIEST_DAY)
    return start, end


def _region(request: Request) -> Any:
    region = request.app.state.region
    if region is None:
        try:
            from coopgov.region import load_region

            region = load_region(request.app.state.region_name)
        except Exception:  # the region data are a separate part (no path in the answer)
            log.exception("region data unavailable")
            raise HTTPException(503, "region data unavailable on this server") from None
        request.app.state.region = region
    return region


@router.get(
    "/v1/cities/{adcode}/warnings",
    summary="Warning levels of a city (public)",
    response_model=WarningPage,
    responses=READ_ERRORS,
)
def warnings(
    adcode: Annotated[int, Path(ge=100000, le=999999)],
    store: StoreDep,
    caller: CallerDep,
    query: Annotated[WarningQuery, Query()],
) -> dict[str, Any]:
    """Level (0 none .. 4 red) of each day (default: the last 30 days)."""
    if not store.stations(adcode=adcode, kind="air"):
        raise HTTPException(404, "no air station in this city")
    start, end = _range(query, 30)
    return envelope(city_warnings(store, adcode, start, end))


@router.get(
    "/v1/episodes",
    summary="Regional episodes and linked action (public)",
    response_model=EpisodePage,
    responses=READ_ERRORS,
)
def episodes(
    request: Request, store: StoreDep, caller: CallerDep, query: Annotated[EpisodeQuery, Query()]
) -> dict[str, Any]:
    """Neighbouring cities in warning on the same day, and the upwind cities asked to act."""
    start, end = _range(query, 30)
    return envelope(
        regional_episodes(
            store,
            _region(request),
            start,
            end,
            min_level=query.min_level,
            min_share=query.min_share,
        )
    )
