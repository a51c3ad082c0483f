"""HTTP API of the monitoring platform (FastAPI), one router module per resource."""

from coopgov.platform.api.app import create_app

__all__ = ["create_app"]
