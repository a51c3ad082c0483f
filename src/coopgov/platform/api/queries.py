"""Query parameters, as small pydantic classes composed by inheritance."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Paging", "DateRange", "DatetimeRange", "MeasurementsQuery", "DailyAQIQuery",
           "HourlyAQIQuery", "WaterQuery", "WarningQuery", "EpisodeQuery", "AuditQuery",
           "MAX_DAYS", "MAX_HOURLY_DAYS"]

#: Longest day range of one request (two years), d.
MAX_DAYS = 731
#: Longest range of an hourly AQI request, d.
MAX_HOURLY_DAYS = 31


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

    date_from: date | None = Field(None, description="First day, inclusive.")
    date_to: date | None = Field(None, description="Last day, inclusive.")

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

    datetime_from: datetime | None = Field(None, description="ISO 8601 with offset.")
    datetime_to: datetime | None = Field(None, description="ISO 8601 with offset.")

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
    min_share: float = Field(0.05, ge=0, le=1,
                             description="Smallest share of imported pollution to act.")


class AuditQuery(Paging):
    """Audit log."""

    action: str | None = Field(None, max_length=64)
