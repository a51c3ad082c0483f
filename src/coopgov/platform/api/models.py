"""Answer models of the API: the error body, the envelope and one page model per resource.

Every route declares its answer model and the error statuses it can give
(:data:`READ_ERRORS`, :data:`WRITE_ERRORS`), each with the one error body
:class:`ErrorBody`, so that the OpenAPI document lists every status a caller
can receive.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ErrorBody",
    "Meta",
    "StationOut",
    "StationPage",
    "IngestReportOut",
    "IngestReportPage",
    "MeasurementOut",
    "MeasurementPage",
    "QuarantineRow",
    "QuarantinePage",
    "AuditEvent",
    "AuditPage",
    "WarningDay",
    "WarningPage",
    "Episode",
    "EpisodePage",
    "WaterSection",
    "WaterPage",
    "TokenOut",
    "TokenPage",
    "IssuedToken",
    "IssuedTokenPage",
    "READ_ERRORS",
    "WRITE_ERRORS",
    "errors",
]


class ErrorBody(BaseModel):
    """Every error answer: what is wrong and, for bad input, where."""

    error: str = Field(description="What is wrong, in words.")
    field: str | None = Field(None, description="Parameter, header or field at fault.")
    value: Any = Field(None, description="The offending value, as received.")
    file: str | None = None
    row: int | None = Field(None, description="Row of the batch at fault, from 1.")
    errors: list[dict[str, Any]] | None = Field(
        None, description="Every validation failure (422), at most 20."
    )


_WHY = {
    400: "Malformed request (e.g. a header sent twice).",
    401: "No valid token where one is needed, or an unknown or revoked token.",
    403: "The token lacks the right (another city's station, a read-only token).",
    404: "Unknown resource.",
    409: "Idempotency-Key re-used for a batch with other content.",
    413: "Request body above the size limit.",
    422: "Invalid input (parameter, body or field), located.",
    429: "Above the rate limit (see the X-RateLimit-* and Retry-After headers).",
    503: "The store is unavailable (busy, disk full, read-only, database down); retry later.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    return {s: {"model": ErrorBody, "description": _WHY[s]} for s in statuses}


#: Statuses any route can answer besides 200.
READ_ERRORS = errors(400, 401, 403, 404, 413, 422, 429, 503)
#: Statuses of the write routes.
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 413, 422, 429, 503)


class Meta(BaseModel):
    """Envelope metadata."""

    name: str
    page: int
    limit: int
    found: int


class StationOut(BaseModel):
    """A station as stored."""

    station_id: str
    adcode: int
    name: str
    kind: str
    lon: float | None = None
    lat: float | None = None
    water_body: str | None = None
    water_type: str | None = None
    synthetic: bool
    source: str


class StationPage(BaseModel):
    """Stations."""

    meta: Meta
    results: list[StationOut]


class RejectedRow(BaseModel):
    """A row kept in quarantine with its reason."""

    row: int | None
    field: str | None
    reason: str
    record: dict[str, Any]


class IngestReportOut(BaseModel):
    """What happened to a batch (:class:`coopgov.platform.store.IngestReport`)."""

    batch_id: str
    n_rows: int
    n_inserted: int
    n_revised: int
    n_unchanged: int
    n_quarantined: int
    replayed: bool
    rejected: list[RejectedRow]


class IngestReportPage(BaseModel):
    """Ingest answer."""

    meta: Meta
    results: list[IngestReportOut]


class MeasurementOut(BaseModel):
    """One stored revision of (station, time, pollutant), harmonised and as sent."""

    station_id: str
    time: datetime
    pollutant: str
    revision: int
    value: float
    unit: str
    reference_state: str
    value_as_sent: float
    unit_as_sent: str
    reference_state_as_sent: str
    source: str
    batch_id: str
    recorded_at: datetime


class MeasurementPage(BaseModel):
    """Measurements."""

    meta: Meta
    results: list[MeasurementOut]


class QuarantineRow(BaseModel):
    """A rejected row."""

    batch_id: str
    row_number: int
    field: str | None
    reason: str
    record: dict[str, Any]
    submitted_by: str
    received_at: datetime


class QuarantinePage(BaseModel):
    """Rejected rows."""

    meta: Meta
    results: list[QuarantineRow]


class AuditEvent(BaseModel):
    """One audited write or refused write."""

    event_id: int
    occurred_at: datetime
    actor: str
    role: str
    adcode: int | None
    action: str
    target: str
    detail: dict[str, Any]
    request_id: str
    client: str


class AuditPage(BaseModel):
    """Audit events, newest first."""

    meta: Meta
    results: list[AuditEvent]


class WarningDay(BaseModel):
    """Warning level of a city on a day."""

    date: date
    level: int = Field(ge=0, le=4)
    level_name: str
    daily_aqi: int | None
    basis: str


class WarningPage(BaseModel):
    """Warning levels."""

    meta: Meta
    results: list[WarningDay]


class EpisodeCity(BaseModel):
    """A city in an episode."""

    adcode: int
    name_en: str | None
    level: int


class LinkedAction(BaseModel):
    """An upwind city asked to act."""

    adcode: int
    name_en: str | None
    share_of_imported: float
    recommended_level: int
    recommended_level_name: str


class Episode(BaseModel):
    """Neighbouring cities in warning on one day and the linked action."""

    date: date
    max_level: int
    max_level_name: str
    cities: list[EpisodeCity]
    linked_action: list[LinkedAction]


class EpisodePage(BaseModel):
    """Regional episodes."""

    meta: Meta
    results: list[Episode]


class WaterSection(BaseModel):
    """A water section and its GB 3838-2002 class over a period."""

    model_config = ConfigDict(populate_by_name=True)

    station_id: str
    name: str
    adcode: int
    water_body: str | None
    water_type: str | None
    lon: float | None
    lat: float | None
    synthetic: bool
    period: dict[str, str]
    class_: int | None = Field(alias="class")
    label: str | None
    label_zh: str | None
    by_indicator: dict[str, int]
    mean_mg_per_l: dict[str, float]
    n_values: dict[str, int]


class WaterPage(BaseModel):
    """Water sections."""

    meta: Meta
    results: list[WaterSection]


class TokenOut(BaseModel):
    """An issued token (never its secret)."""

    token_id: str
    role: str
    adcode: int | None
    label: str
    created_at: datetime
    revoked_at: datetime | None


class TokenPage(BaseModel):
    """Issued tokens."""

    meta: Meta
    results: list[TokenOut]


class IssuedToken(BaseModel):
    """A token just issued or rotated: the secret is shown this once."""

    token_id: str
    role: str
    adcode: int | None
    token: str = Field(description="Send it in the X-API-Key header; it cannot be shown again.")


class IssuedTokenPage(BaseModel):
    """Issued token."""

    meta: Meta
    results: list[IssuedToken]
