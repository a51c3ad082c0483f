"""pytest plugin used by .ci/run: count skips; fail when a service-backed test skipped.

Tests marked ``postgres``, ``browser`` or ``dask`` need a service that
``.ci/run`` starts.  On a developer machine they skip when it is missing; in
CI (environment variable ``CI=true``) such a skip means the service did not
come up, and the run fails instead of passing with those tests unrun.
Load with ``-p pytest_services`` (the folder ``.ci`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import os

import pytest

SERVICE_MARKERS = ("postgres", "browser", "dask")
_skipped: list[tuple[str, str]] = []
_service_skipped: list[tuple[str, str, str]] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001, ANN201 - pytest hook
    """Record every skipped test, and those carrying a service marker apart."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and (report.when == "setup" or report.when == "call"):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        _skipped.append((item.nodeid, reason))
        marks = [m for m in SERVICE_MARKERS if item.get_closest_marker(m) is not None]
        if marks:
            _service_skipped.append((item.nodeid, ",".join(marks), reason))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ANN001, ANN201
    """Print the skip count and each service-backed skip."""
    tr = terminalreporter
    tr.write_line(
        f"skipped: {len(_skipped)} test(s), of which {len(_service_skipped)} "
        f"need a service ({', '.join(SERVICE_MARKERS)})"
    )
    for nodeid, marks, reason in _service_skipped[:50]:
        tr.write_line(f"  service skip [{marks}] {nodeid}: {reason}")
    if _service_skipped and _in_ci():
        tr.write_line(
            "FAILED: service-backed tests skipped under CI=true (a service did not start)", red=True
        )


def pytest_sessionfinish(session, exitstatus):  # noqa: ANN001, ANN201
    """Fail the run when a service-backed test skipped under CI."""
    if _service_skipped and _in_ci() and exitstatus == 0:
        session.exitstatus = 1
