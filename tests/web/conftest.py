"""Fixtures of the dashboard tests: a real uvicorn server on 127.0.0.1 and headless Chromium.

The browser is Debian's ``chromium`` (``.ci/services/chromium.sh`` installs it and
exports ``COOPGOV_CHROMIUM``), driven by Playwright for Python through its
executable path.  With ``CI=true`` a missing browser fails the browser tests
instead of skipping them.  Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from web_helpers import ARTIFACTS, CHROMIUM_ARGS, SCREENSHOTS, fill_store  # noqa: F401


@pytest.fixture(scope="session")
def monitoring_store(tmp_path_factory):
    store = fill_store(str(tmp_path_factory.mktemp("store") / "store.duckdb"))
    yield store
    store.close()


@pytest.fixture(scope="session")
def experiments_root(tmp_path_factory):
    """A results folder with one small finished experiment (tests/web/tiny-experiment.toml)."""
    from coopgov.experiments import load_spec, run_experiment

    root = tmp_path_factory.mktemp("results")
    spec = load_spec(str(Path(__file__).with_name("tiny-experiment.toml")))
    run_experiment(spec, root / "tiny", processes=0, progress=False)
    return root


@pytest.fixture(scope="session")
def dashboard_app(monitoring_store, experiments_root):
    from coopgov.web import create_dashboard_app
    from coopgov.web.payloads import experiment_payload, simulation_payload

    simulation_payload({"years": 2})  # compile the integrator before the browser arrives
    experiment_payload(experiments_root, "tiny")  # analyse once (cached) before the browser
    return create_dashboard_app(monitoring_store, experiments_root=experiments_root)


@pytest.fixture(scope="session")
def server(dashboard_app):
    """A real uvicorn server on 127.0.0.1 with a free port; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(
        uvicorn.Config(
            dashboard_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("COOPGOV_CHROMIUM", "/usr/bin/chromium")
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"CI=true but Chromium is missing at {path}: source "
                ".ci/services/chromium.sh before the tests"
            )
        pytest.skip(f"Chromium not found at {path} (source .ci/services/chromium.sh)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageRecorder:
    """A page with every request and console error recorded."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, hash_: str = "map") -> None:
        self.page.goto(f"{self.base}/dashboard/#{hash_}")
        self.page.wait_for_selector("body[data-ready='1']", timeout=30_000)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def foreign_requests(self) -> list[str]:
        local = (self.base + "/", "data:", "blob:", "about:")
        return [u for u in self.requests if not u.startswith(local)]


def _context(browser, server, **kwargs):
    context = browser.new_context(accept_downloads=True, service_workers="block", **kwargs)
    # Anything not served by coopgov is recorded (and then aborted, so that a
    # missed CDN reference cannot slow the test down or leak a request).
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(server + "/") else route.abort()
        ),
    )
    return context


@pytest.fixture
def dash(browser, server):
    context = _context(browser, server, viewport={"width": 1400, "height": 1000})
    rec = PageRecorder(context.new_page(), server)
    yield rec
    context.close()
    assert rec.foreign_requests() == [], "requests left 127.0.0.1"


@pytest.fixture
def phone(browser, server):
    """A 390 x 844 phone (iPhone 12-14 size), touch and mobile viewport."""
    context = _context(
        browser,
        server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    rec = PageRecorder(context.new_page(), server)
    yield rec
    context.close()
    assert rec.foreign_requests() == [], "requests left 127.0.0.1"
