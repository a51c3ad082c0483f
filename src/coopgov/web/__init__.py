"""The coopgov dashboard: a web app over the model, the games, compensation and the platform.

Pages: map, scenario builder (NetLogo-style setup / go / go once, with
parameter sliders, a speed control and ABM replication bands), force field,
compensation and allocation, monitoring (when the platform's store is
reachable), experiments (results folders of ``coopgov experiment run``) and
about; labels in Chinese and English.  Every script, style and
map file is served by coopgov itself (plotly.js from the installed ``plotly``
package), so the dashboard works offline.

>>> from fastapi import FastAPI
>>> from coopgov.web import mount_dashboard
>>> app = FastAPI()
>>> _ = mount_dashboard(app)        # the page at /dashboard/
>>> from fastapi.testclient import TestClient
>>> page = TestClient(app).get("/dashboard/")
>>> page.status_code, page.headers["content-type"].split(";")[0]
(200, 'text/html')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from coopgov.web.api import STATIC_DIR, build_router

__all__ = ["DEFAULT_PREFIX", "create_dashboard_app", "mount_dashboard", "serve_docs_offline"]

#: URL path of the dashboard inside a host application.
DEFAULT_PREFIX = "/dashboard"


def mount_dashboard(
    app: FastAPI,
    *,
    prefix: str = DEFAULT_PREFIX,
    region_name: str = "yrd",
    offline_docs: bool = True,
) -> FastAPI:
    """Mount the dashboard (page, static files, JSON API) into a FastAPI app.

    Parameters
    ----------
    app : fastapi.FastAPI
        Host application.  When it holds a monitoring store in
        ``app.state.store`` (the platform API of :mod:`coopgov.platform.api`),
        the Monitoring page reads it.
    prefix : str
        URL path of the dashboard (page at ``prefix + "/"``).
    region_name : str
        Region shown and simulated.
    offline_docs : bool
        Also serve the host's ``/docs`` from the package instead of a CDN
        (:func:`serve_docs_offline`), so that nothing on the server reaches out.

    Returns
    -------
    fastapi.FastAPI
        ``app``, for chaining.
    """
    prefix = "/" + prefix.strip("/")
    if offline_docs and app.docs_url is not None:
        serve_docs_offline(app)
    app.mount(f"{prefix}/static", StaticFiles(directory=STATIC_DIR), name="dashboard-static")
    app.include_router(build_router(region_name), prefix=prefix)
    return app


def serve_docs_offline(app: FastAPI) -> FastAPI:
    """Serve the app's ``/docs`` (Swagger UI) from the installed package, not from a CDN.

    FastAPI's default ``/docs`` and ``/redoc`` pages load their scripts from
    a CDN; they are replaced by a ``/docs`` page whose files come from the
    ``fastapi-offline`` package (``/redoc`` is dropped).  Without that
    package there is no ``/docs`` page at all, rather than one that reaches out.
    """
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    drop = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) not in drop]
    app.docs_url = app.redoc_url = None
    try:  # only its bundled Swagger UI 5 files are used (OpenAPI 3.1 needs version 5)
        import fastapi_offline
    except ImportError:  # pragma: no cover - the platform extra installs it
        return app
    static = Path(fastapi_offline.__file__).with_name("static")
    app.mount("/docs/static", StaticFiles(directory=static), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def _docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url="/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/docs/static/swagger-ui.css",
            swagger_favicon_url="/docs/static/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    return app


def create_dashboard_app(
    store: Any = None,
    *,
    platform: bool = True,
    region_name: str = "yrd",
    experiments_root: str | Path | None = None,
) -> FastAPI:
    """Build the dashboard app, with the platform API beside it when it is importable.

    Parameters
    ----------
    store : coopgov.platform.store.Store or str or Path, optional
        Monitoring store or its URL (default: the platform's default store).
    platform : bool
        Mount the platform API (and give the Monitoring page its store) when
        :mod:`coopgov.platform` imports; False for the model pages only.
    region_name : str
        Region shown and simulated.
    experiments_root : path, optional
        Folder of experiment results folders shown on the Experiments page
        (default ``$COOPGOV_RESULTS`` or ``./results``, where
        ``coopgov experiment run`` writes).

    Returns
    -------
    fastapi.FastAPI
        ``/`` redirects to the dashboard.
    """
    app: FastAPI | None = None
    if platform:
        try:
            from coopgov.platform.api import create_app
            from coopgov.platform.store import Store
        except ImportError:  # the platform extra (duckdb, ...) is not installed
            app = None
        else:
            if not isinstance(store, Store):
                store = Store(store, idle_release_s=2.0)
            app = create_app(store, region_name=region_name)
    if app is None:
        app = FastAPI(title="coopgov dashboard")
        app.state.store = None
    if experiments_root is None:
        experiments_root = os.environ.get("COOPGOV_RESULTS") or "results"
    app.state.experiments_root = Path(experiments_root)
    mount_dashboard(app, region_name=region_name)

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse(DEFAULT_PREFIX + "/")

    return app
