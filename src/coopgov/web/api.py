"""HTTP routes of the dashboard: the page, its static files and its JSON API.

Everything the page loads comes from these routes (scripts, styles, the
map's GeoJSON and the vendored plotly.js): the dashboard works offline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from coopgov.errors import InputError
from coopgov.web import payloads

__all__ = ["STATIC_DIR", "plotly_js_path", "build_router", "CONTENT_SECURITY_POLICY"]

#: Folder of the page's own files (HTML, JavaScript, CSS).
STATIC_DIR = Path(__file__).with_name("static")

#: Only this server may be contacted by the page (no CDN, no remote fonts).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def plotly_js_path() -> Path:
    """Path of ``plotly.min.js`` shipped inside the installed ``plotly`` package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():  # pragma: no cover - depends on the installed plotly
        raise FileNotFoundError(f"plotly.min.js not found at {path}")
    return path


def _error(exc: InputError) -> JSONResponse:
    """422 with the located error; a file on the server is named by its file name only."""
    payload = exc.to_dict()
    file = payload.get("file")
    if file and (Path(str(file)).is_absolute() or "/" in str(file) or "\\" in str(file)):
        payload["file"] = Path(str(file)).name
    return JSONResponse(payload, status_code=422)


def _experiments_root(request: Request) -> Any:
    return getattr(request.app.state, "experiments_root", None)


def _store_of(request: Request) -> Any:
    return getattr(request.app.state, "store", None)


def _answer(produce: Callable[[], Any]) -> Any:
    """What ``produce`` returns, or a 422 with its located input error."""
    try:
        return produce()
    except InputError as exc:
        return _error(exc)


def build_router(region_name: str = "yrd") -> APIRouter:
    """Routes of the dashboard (prefix added by :func:`coopgov.web.mount_dashboard`).

    Parameters
    ----------
    region_name : str
        Region shown and simulated.
    """
    router = APIRouter(tags=["dashboard"])
    _add_page_routes(router)
    _add_region_routes(router, region_name)
    _add_scenario_routes(router, region_name)
    _add_experiment_routes(router)
    _add_force_routes(router, region_name)
    _add_game_routes(router, region_name)
    _add_compensation_routes(router)
    _add_monitoring_routes(router, region_name)
    return router


def _add_page_routes(router: APIRouter) -> None:
    """The page itself and the vendored plotly.js."""

    @router.get("", include_in_schema=False)
    def _bare(request: Request) -> RedirectResponse:
        return RedirectResponse(str(request.url.path) + "/")

    @router.get("/", include_in_schema=False)
    def index() -> Response:
        html = (STATIC_DIR / "index.html").read_bytes()
        return Response(
            html,
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Cache-Control": "no-cache",
            },
        )

    @router.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(
            plotly_js_path(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )


def _add_region_routes(router: APIRouter, region_name: str) -> None:
    """What the page loads once: the region's metadata and its boundaries."""

    @router.get("/api/meta", summary="Cities, levers, force terms, scenarios, categories")
    def meta(request: Request) -> dict[str, Any]:
        """Everything the page needs once."""
        return payloads.dashboard_meta(region_name, platform=_store_of(request) is not None)

    @router.get("/api/geo/{layer}.geojson", summary="City or province boundaries (WGS84)")
    def geo(layer: str) -> FileResponse:
        """Bundled simplified boundaries of the region's cities or provinces."""
        files = payloads.region_files(region_name)
        if layer not in files or not files[layer].is_file():
            raise HTTPException(404, "no such layer")
        return FileResponse(
            files[layer],
            media_type="application/geo+json",
            headers={"Cache-Control": "public, max-age=3600"},
        )


def _add_scenario_routes(router: APIRouter, region_name: str) -> None:
    """Simulating a scenario, its bands, and the scenario as a TOML file."""

    @router.post("/api/simulate", summary="Run the cooperation model on a scenario")
    def simulate(body: Annotated[dict[str, Any], Body()]) -> Any:
        """Trajectories of a scenario (levers by year, parameter overrides)."""
        return _answer(lambda: payloads.simulation_payload(body, region_name))

    @router.post("/api/scenario/toml", summary="The scenario as a TOML file for coopgov run")
    def scenario_toml(body: Annotated[dict[str, Any], Body()]) -> Any:
        """Validated scenario as TOML text (``coopgov run --scenario FILE``)."""
        return _answer(
            lambda: Response(payloads.scenario_toml(body), media_type="application/toml")
        )

    @router.post("/api/scenario/parse", summary="Read a scenario TOML")
    def scenario_parse(body: Annotated[dict[str, Any], Body()]) -> Any:
        """Validate an uploaded scenario TOML and return it as the page's scenario."""
        return _answer(
            lambda: payloads.scenario_from_toml(
                str(body.get("toml") or ""), file=str(body.get("file") or "uploaded TOML")
            )
        )

    @router.post(
        "/api/bands", summary="Spread of the cooperation rate: ABM replications or posterior draws"
    )
    def bands(
        body: Annotated[dict[str, Any], Body()],
        replications: Annotated[int, Query(ge=2, le=200)] = 20,
        kind: Annotated[Literal["abm", "posterior"], Query()] = "abm",
        draws: Annotated[int, Query(ge=2, le=400)] = 40,
    ) -> Any:
        """Quantile bands (5, 25, 50, 75, 95 %) of the regional cooperation rate by year."""
        return _answer(
            lambda: payloads.bands_payload(
                body, region_name, replications=replications, kind=kind, draws=draws
            )
        )


def _add_experiment_routes(router: APIRouter) -> None:
    """Experiment results folders of the server and the analysis of one."""

    @router.get("/api/experiments", summary="Experiment results folders on this server")
    def experiments(request: Request) -> Any:
        """Results folders of ``coopgov experiment run`` under the server's results folder."""
        return {"experiments": payloads.experiment_list(_experiments_root(request))}

    @router.get("/api/experiments/{name}", summary="Analysis of one experiment")
    def experiment(request: Request, name: str) -> Any:
        """Lever ranking, Sobol indices, PRIM trajectory with every box, feature scores."""
        return _answer(lambda: payloads.experiment_payload(_experiments_root(request), name))


def _add_force_routes(router: APIRouter, region_name: str) -> None:
    """The force terms of one city."""

    @router.post("/api/forces", summary="Force terms of one city over time")
    def forces(
        body: Annotated[dict[str, Any], Body()], adcode: Annotated[int, Query(ge=100000, le=999999)]
    ) -> Any:
        """Attraction, pressure, thrust and resistance terms of a city, by year."""
        return _answer(lambda: payloads.force_payload(body, adcode, region_name))


def _add_game_routes(router: APIRouter, region_name: str) -> None:
    """Allocations of the games, computed off the event loop."""

    @router.get("/api/allocation", summary="Allocation per city (games)")
    async def allocation(
        method: str = "shapley",
        pollutant: str = "so2",
        permutations: Annotated[int, Query(ge=100, le=50_000)] = 2000,
    ) -> Any:
        """Emission-game gains and transfers, Shapley value, river cost sharing."""
        try:
            return await run_in_threadpool(
                payloads.allocation_payload,
                method,
                pollutant=pollutant,
                permutations=permutations,
                region_name=region_name,
            )
        except InputError as exc:
            return _error(exc)


def _add_compensation_routes(router: APIRouter) -> None:
    """Compensation rules: the Xin'an bet and per-tonne payments."""

    @router.post("/api/compensation/xinan", summary="Xin'an-type water-quality bet")
    def xinan(body: Annotated[dict[str, Any], Body()]) -> Any:
        """Index P and payments of a bet preset on uploaded or example samples."""
        raw = body.get("year")
        try:
            year = int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return _error(InputError("year must be an integer", field="year", value=raw))
        return _answer(
            lambda: payloads.xinan_payload(
                str(body.get("preset") or "xinan-round1"), year, body.get("csv") or None
            )
        )

    @router.post("/api/compensation/per-tonne", summary="Per-tonne compensation")
    def per_tonne(body: Annotated[dict[str, Any], Body()]) -> Any:
        """Payments of a per-tonne preset on uploaded or example samples."""
        return _answer(
            lambda: payloads.per_tonne_payload(
                str(body.get("preset") or "jiangsu-taihu"), body.get("csv") or None
            )
        )


def _add_monitoring_routes(router: APIRouter, region_name: str) -> None:
    """Monitoring from the platform store."""

    @router.get("/api/monitoring", summary="Daily AQI, warnings and episodes (platform)")
    def monitoring(request: Request, date: str | None = None) -> Any:
        """Today's (or a given day's) AQI by city from the platform store."""
        return _answer(
            lambda: payloads.monitoring_payload(
                _store_of(request), payloads.parse_day(date), region_name=region_name
            )
        )
