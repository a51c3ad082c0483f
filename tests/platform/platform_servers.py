"""Real server processes for the platform tests (``coopgov serve`` on a loopback port).

Each server is a child process started the way an operator starts one; it is
always killed when the test ends (context manager), whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

_SERVE = "from coopgov.cli.main import app; app()"


def free_port() -> int:
    """A free TCP port of 127.0.0.1, chosen by the kernel."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running ``coopgov serve`` child process."""

    def __init__(self, proc: subprocess.Popen, port: int, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30, **kwargs)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def start_process(
    store_url: str, log: Path, *args: str, env: dict | None = None, preexec=None
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE, "serve", "--store", store_url, "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env={**os.environ, **(env or {})},
        preexec_fn=preexec,
    )
    return proc, port


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def serving(
    store_url: str,
    log: Path,
    *args: str,
    env: dict | None = None,
    preexec=None,
    timeout_s: float = 60,
) -> Iterator[Server]:
    """Start ``coopgov serve`` on ``store_url``; yield it once it answers; always stop it."""
    proc, port = start_process(store_url, log, *args, env=env, preexec=preexec)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"server exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}"
                )
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.1)
        yield Server(proc, port, log)
    finally:
        stop(proc)
