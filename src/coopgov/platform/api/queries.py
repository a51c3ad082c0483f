"""Query parameters, as small pydantic classes composed by inheritance."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from coopgov.platform.store import EARLIEST_DAY, LATEST_DAY

__all__ = [
    "Paging",
    "DateRange",
    "DatetimeRange",
    "MeasurementsQuery",
    "DailyAQIQuery",
    "HourlyAQIQuery",
    "WaterQuery",
    "WarningQuery",
    "EpisodeQuery",
    "AuditQuery",
    "MAX_DAYS",
    "MAX_HOURLY_DAYS",
    "Day",
    "Instant",
]

#: Longest day range of one request (two years), d.
MAX_DAYS = 731
#: Longest range of an hourly AQI request, d.
MAX_HOURLY_DAYS = 31


_DAY_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT_TEXT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$"
)


def _iso_text(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: Any) -> Any:
        # Only ISO 8601 text: no Unix timestamps, no numbers coerced to dates.
        if isinstance(value, (date, datetime)):
            return value
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(f"expected {what}")
        return value

    return check


def _bounded(value: date | datetime) -> date | datetime:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"must lie between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


#: A day ``YYYY-MM-DD`` between :data:`EARLIEST_DAY` and :data:`LATEST_DAY`.
Day = Annotated[
    date, BeforeValidator(_iso_text(_DAY_TEXT, "a day YYYY-MM-DD")), AfterValidator(_bounded)
]
#: An ISO 8601 time between :data:`EARLIEST_DAY` and :data:`LATEST_DAY`.
Instant = Annotated[
    datetime,
    BeforeValidator(
        _iso_text(
            _INSTANT_TEXT, "an ISO 8601 date-time with offset, e.g. 2025-01-01T08:00:00+08:00"
        )
    ),
    AfterValidator(_bounded),
]
_RANGE = f"from {EARLIEST_DAY} to {LATEST_DAY}"


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Paging(_Query):
    """Page through results."""

    limit: int = Field(100, ge=1, le=10_000, description="Results per page.")
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")

    @property
    def offset(self) -> int:
        """Rows skipped before this page."""
        return (self.page - 1) * self.limit


class DateRange(_Query):
    """Inclusive range of days (China Standard Time)."""

    date_from: Day | None = Field(None, description=f"First day, inclusive ({_RANGE}).")
    date_to: Day | None = Field(None, description=f"Last day, inclusive ({_RANGE}).")

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.date_from and self.date_to:
            if self.date_from > self.date_to:
                raise ValueError("date_from must not be after date_to")
            if (self.date_to - self.date_from).days > MAX_DAYS:
                raise ValueError(f"at most {MAX_DAYS} days per request")
        return self


class DatetimeRange(_Query):
    """Half-open range of times [datetime_from, datetime_to), with a UTC offset."""

    datetime_from: Instant | None = Field(None, description=f"ISO 8601 with offset ({_RANGE}).")
    datetime_to: Instant | None = Field(None, description=f"ISO 8601 with offset ({_RANGE}).")

    @model_validator(mode="after")
    def _aware(self) -> DatetimeRange:
        for name in ("datetime_from", "datetime_to"):
            v = getattr(self, name)
            if v is not None and v.utcoffset() is None:
                raise ValueError(f"{name} needs a UTC offset (e.g. +08:00)")
        if self.datetime_from and self.datetime_to and self.datetime_from > self.datetime_to:
            raise ValueError("datetime_from must not be after datetime_to")
        return self


class MeasurementsQuery(Paging, DatetimeRange):
    """Measurements of a station."""

    pollutant: str | None = Field(None, max_length=32)
    history: bool = Field(False, description="Every revision, not only the current one.")


class DailyAQIQuery(DateRange):
    """Daily AQI over a day range."""


class HourlyAQIQuery(DatetimeRange):
    """Hourly (real-time) AQI over a time range (at most 31 days)."""


class WaterQuery(DateRange):
    """Water sections with their class over a day range (default: the last 30 days)."""

    adcode: int | None = Field(None, ge=100000, le=999999)


class WarningQuery(DateRange):
    """Warning levels over a day range."""


class EpisodeQuery(DateRange):
    """Regional episodes over a day range."""

    min_level: int = Field(1, ge=1, le=4, description="Lowest level in an episode (1 blue).")
    min_share: float = Field(
        0.05, ge=0, le=1, description="Smallest share of imported pollution to act."
    )


class AuditQuery(Paging):
    """Audit log."""

    action: str | None = Field(None, max_length=64)
