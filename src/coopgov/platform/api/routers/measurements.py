"""Measurements: ingest (JSON or CSV, own stations only), read (token holders), quarantine."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt
from starlette.concurrency import run_in_threadpool

from coopgov.errors import InputError
from coopgov.platform.api.deps import CallerDep, StoreDep, audit_context, envelope, run_read
from coopgov.platform.api.models import (
    READ_ERRORS,
    WRITE_ERRORS,
    IngestReportPage,
    MeasurementPage,
    QuarantinePage,
)
from coopgov.platform.api.queries import MeasurementsQuery, Paging

router = APIRouter(tags=["measurements"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="Same key and same batch: stored once, the first report answered again "
        "(replayed). Same key, other content: 409, nothing stored.",
    ),
]


class MeasurementIn(BaseModel):
    """One measurement as sent; every row is checked and a bad one quarantined, not refused.

    ``value`` is a JSON number (or a decimal string as in CSV); ``true``,
    objects and arrays are refused (422).  Every text field is bounded.
    """

    model_config = ConfigDict(extra="ignore")

    station_id: str | None = Field(None, max_length=64, examples=["310100-A01"])
    time: str | None = Field(
        None,
        max_length=64,
        examples=["2025-01-01T08:00:00+08:00"],
        description="ISO 8601 with UTC offset, on the hour (hour-ending "
        "label), from 1970-01-01T00:00Z.",
    )
    pollutant: str | None = Field(None, max_length=32, examples=["PM2.5"])
    value: StrictFloat | StrictInt | Annotated[str, Field(max_length=64)] | None = Field(
        None, examples=[35.0]
    )
    unit: str | None = Field(None, max_length=32, examples=["ug/m3"])
    reference_state: str | None = Field(None, max_length=32, examples=["reference"])
    source: str | None = Field(None, max_length=200)


class MeasurementBatch(BaseModel):
    """A batch of measurements."""

    model_config = ConfigDict(extra="forbid")

    measurements: list[MeasurementIn] = Field(max_length=500_000)


def _report(report: Any) -> dict[str, Any]:
    return envelope([report.to_dict()])


@router.post(
    "/v1/measurements",
    summary="Send measurements as JSON (own stations)",
    response_model=IngestReportPage,
    responses=WRITE_ERRORS,
)
async def post_measurements(
    batch: MeasurementBatch,
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Store a batch; rejected rows come back with their reasons (and stay in quarantine)."""
    caller.require_writer()
    records = [m.model_dump(exclude_none=False) for m in batch.measurements]
    report = await run_in_threadpool(
        store.ingest_records,
        records,
        context=audit_context(request, caller),
        batch_key=idempotency_key,
    )
    return _report(report)


@router.post(
    "/v1/measurements/csv",
    summary="Send measurements as CSV (own stations)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "station_id,time,pollutant,value,unit\n"
                    "310100-A01,2025-01-01T08:00:00+08:00,PM2.5,35,ug/m3\n",
                }
            },
        }
    },
    response_model=IngestReportPage,
    responses=WRITE_ERRORS,
)
async def post_measurements_csv(
    request: Request, store: StoreDep, caller: CallerDep, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """CSV with header ``station_id,time,pollutant,value,unit[,reference_state,source]``."""
    caller.require_writer()
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("text/csv", "text/plain", "application/csv"):
        raise InputError("Content-Type must be text/csv", field="content-type", value=ctype)
    body = await request.body()
    report = await run_in_threadpool(
        store.ingest_csv,
        body,
        file="<request body>",
        context=audit_context(request, caller),
        batch_key=idempotency_key,
    )
    return _report(report)


@router.get(
    "/v1/stations/{station_id}/measurements",
    summary="Measurements of a station (token holders)",
    response_model=MeasurementPage,
    responses=READ_ERRORS,
)
async def get_measurements(
    station_id: Annotated[str, Path(max_length=64)],
    store: StoreDep,
    caller: CallerDep,
    query: Annotated[MeasurementsQuery, Query()],
) -> dict[str, Any]:
    """Return the current values, or every revision with ``history=true``."""
    caller.require_reader()
    if station_id not in await run_read(store.station_index):
        raise HTTPException(404, "unknown station")
    rows = await run_read(
        store.measurements,
        station_id,
        start=query.datetime_from,
        end=query.datetime_to,
        pollutant=query.pollutant,
        history=query.history,
        limit=query.limit,
        offset=query.offset,
    )
    return envelope(rows, page=query.page, limit=query.limit)


@router.get(
    "/v1/quarantine",
    summary="Rejected rows (own batches; all for an admin)",
    response_model=QuarantinePage,
    responses=READ_ERRORS,
)
def get_quarantine(
    store: StoreDep, caller: CallerDep, query: Annotated[Paging, Query()]
) -> dict[str, Any]:
    """Rows kept in quarantine with their reasons."""
    caller.require_reader()
    who = None if caller.role == "admin" else caller.token_id
    rows = store.quarantine(submitted_by=who, limit=query.limit, offset=query.offset)
    return envelope(rows, page=query.page, limit=query.limit)
