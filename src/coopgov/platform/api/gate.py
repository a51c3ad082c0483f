"""The API's front gate: request ids, body limit, rate limit and cached published answers.

A pure ASGI middleware (no per-request task or stream, unlike Starlette's
``@app.middleware("http")``) in front of the FastAPI routes.  For every
request it

* makes the request id (answered in ``X-Request-ID`` and written to the
  audit log); a caller's own ``X-Request-ID`` is kept apart as
  ``client_request_id`` and never becomes the audit's request id;
* refuses a request carrying ``X-API-Key`` more than once (400): the token
  authenticated and the caller counted must be the same;
* refuses a body above the size limit (413): at once when ``Content-Length``
  says so, and while streaming otherwise (reading stops at the limit);
* counts the caller's requests in a fixed one-minute window and answers the
  OpenAQ-style headers ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and
  ``X-RateLimit-Reset`` (429 with ``Retry-After`` beyond the limit).  The
  caller is the token when it is known valid, else the client address (a
  caller cannot get fresh windows by inventing tokens);
* adds ``Cache-Control: no-store`` and ``X-Content-Type-Options: nosniff`` to
  the API's answers, and writes one access-log line per request (method,
  path, status, duration, client, request id, token id; never a token);
* answers a GET of a published index (AQI) straight from the response cache
  when the cached bytes are current, without routing, dependency injection or
  validation: those ran when the entry was computed, and a published answer
  is the same for every caller.  A request with a token is served from the
  cache only when the token is known valid (token cache); anything else goes
  through the full application.

The response cache (:class:`ResponseCache`) keys an answer by its path and
query and the *version of its city's published data*
(:meth:`coopgov.platform.store.Store.published_version`): the writes of this
process to that city (a batch of one city leaves the other cities' answers
cached), every station write, and, for the embedded store, any change of the
database file or its write-ahead log by another process, so a write by
another process is seen at the next request.
PostgreSQL has no such cheap signal: there an answer is reused for at most
``ttl_s`` seconds.  Within the version an answer older than ``ttl_s`` (the
default date range moves with the clock) is still served while one
recomputation refreshes it in the background; a request after a write waits
for the fresh answer, computed once however many requests wait for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from coopgov.platform.auth import Principal, hash_token
from coopgov.platform.store import Store

__all__ = [
    "Gate",
    "ResponseCache",
    "TokenCache",
    "RateLimiter",
    "BodyTooLarge",
    "cache_key",
    "TOKEN_CACHE_S",
]

#: Longest time a verified token is trusted without asking the store again, s: a
#: token revoked through another server process is refused within this time.
TOKEN_CACHE_S = 0.5

access_log = logging.getLogger("coopgov.platform.access")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def cache_key(scope: Mapping[str, Any]) -> str:
    """Key of a request in the response cache: path and raw query string."""
    return scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")


@dataclass(frozen=True)
class _Entry:
    created: float
    version: tuple[Any, ...]
    body: bytes
    build: Callable[[], Any]
    scope: int | None


class ResponseCache:
    """Cached JSON bodies of published answers, keyed by request and store version.

    Parameters
    ----------
    store : Store
        Store whose version invalidates the entries.
    ttl_s : float
        Age after which an entry is recomputed (served meanwhile), s; 0 turns
        the cache off.
    max_entries : int
        Entries kept (the cache is emptied when full).
    """

    def __init__(self, store: Store, ttl_s: float = 2.0, max_entries: int = 4096) -> None:
        self.store = store
        self.ttl_s = float(ttl_s)
        self.max_entries = int(max_entries)
        self._entries: dict[str, _Entry] = {}
        self._inflight: dict[tuple[str, tuple[Any, ...]], asyncio.Future[bytes]] = {}

    @property
    def enabled(self) -> bool:
        """Whether answers are reused at all."""
        return self.ttl_s > 0

    def version(self, scope: int | None = None) -> tuple[Any, ...]:
        """Current version of the published data of city ``scope`` (None: of every city)."""
        return self.store.published_version(scope)

    def current(self, key: str) -> bytes | None:
        """Cached body of ``key`` if it is of the current store version, else None.

        An entry older than the TTL is still answered while it is recomputed in
        the background (call from the event loop).
        """
        hit = self._entries.get(key)
        if hit is None or not self.enabled or hit.version != self.version(hit.scope):
            return None
        if time.monotonic() - hit.created >= self.ttl_s:
            self._start(key, hit.version, hit.build, hit.scope)
        return hit.body

    async def fetch(self, key: str, build: Callable[[], Any], scope: int | None = None) -> bytes:
        """Return the JSON bytes of ``build()`` for ``key``, computed once per version.

        ``build`` runs in the thread pool and returns a JSON-ready object or the
        JSON bytes themselves; ``scope`` is the city whose data the answer
        depends on (None: every city).
        """
        if not self.enabled:
            return await run_in_threadpool(self._encode, build)
        version = self.version(scope)
        hit = self._entries.get(key)
        if hit is not None and hit.version == version and hit.scope == scope:
            if time.monotonic() - hit.created >= self.ttl_s:
                self._start(key, version, build, scope)  # stale by age only: refresh behind
            return hit.body
        return await asyncio.shield(self._start(key, version, build, scope))

    def _start(
        self, key: str, version: tuple[Any, ...], build: Callable[[], Any], scope: int | None = None
    ) -> asyncio.Future[bytes]:
        fut = self._inflight.get((key, version))
        if fut is None:
            fut = asyncio.ensure_future(self._compute(key, version, build, scope))
            self._inflight[(key, version)] = fut
            fut.add_done_callback(lambda f: f.cancelled() or f.exception())
        return fut

    async def _compute(
        self, key: str, version: tuple[Any, ...], build: Callable[[], Any], scope: int | None = None
    ) -> bytes:
        from coopgov.platform.api.deps import run_read

        try:
            body = await run_read(self._encode, build)
        except BaseException:
            self._entries.pop(key, None)
            raise
        finally:
            self._inflight.pop((key, version), None)
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = _Entry(time.monotonic(), version, body, build, scope)
        return body

    @staticmethod
    def _encode(build: Callable[[], Any]) -> bytes:
        payload = build()
        if isinstance(payload, bytes):
            return payload
        return json.dumps(payload, default=str, ensure_ascii=False, separators=(",", ":")).encode()


class BodyTooLarge(HTTPException):
    """Request body above the size limit (HTTP 413), raised while it streams in."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"body larger than {limit} bytes")


class TokenCache:
    """Verified tokens remembered in-process (by digest) for ``ttl_s`` seconds.

    A revocation made through this process takes effect at once (the store's
    write generation changes), as does one by another process on the embedded
    store (the file changes); on PostgreSQL one made by another process
    within ``ttl_s``.
    """

    def __init__(
        self, store: Store, ttl_s: float = TOKEN_CACHE_S, max_entries: int = 10_000
    ) -> None:
        self.store = store
        self.ttl_s = float(ttl_s)
        self.max_entries = int(max_entries)
        self._entries: dict[str, tuple[float, tuple[Any, ...], Principal | None]] = {}

    def known(self, digest: str) -> tuple[bool, Principal | None]:
        """Return (found, principal) for a token digest; principal None: invalid token."""
        hit = self._entries.get(digest)
        if hit is None or hit[1] != self._version() or time.monotonic() - hit[0] >= self.ttl_s:
            return False, None
        return True, hit[2]

    def _version(self) -> tuple[Any, ...]:
        return (self.store.generation, self.store.backend.data_version())

    def principal_for(self, token: str) -> Principal | None:
        """The token's principal (None: unknown or revoked), looked up at most every TTL."""
        digest = hash_token(token)
        found, principal = self.known(digest)
        if found:
            return principal
        version = self._version()
        principal = self.store.principal_for(token)
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[digest] = (time.monotonic(), version, principal)
        return principal


class RateLimiter:
    """Requests per caller in fixed one-minute windows (OpenAQ-style headers).

    Parameters
    ----------
    limit_per_min : int
        Requests a caller (token, or client address without one) may make per
        minute; 0 disables limiting and its headers.
    """

    window_s = 60.0

    def __init__(self, limit_per_min: int) -> None:
        self.limit = int(limit_per_min)
        self._windows: dict[str, list[float]] = {}  # caller -> [window start, count]
        self._limit_header = str(self.limit).encode()

    def hit(self, caller: str) -> tuple[bool, list[tuple[bytes, bytes]]]:
        """Count one request; return (allowed, response headers)."""
        now = time.monotonic()
        w = self._windows.get(caller)
        if w is None or now - w[0] >= self.window_s:
            if len(self._windows) > 100_000:
                self._windows.clear()
            w = self._windows[caller] = [now, 0.0]
        w[1] += 1
        reset = max(1, int(w[0] + self.window_s - now + 0.999))
        remaining = max(0, self.limit - int(w[1]))
        return w[1] <= self.limit, [
            (b"x-ratelimit-limit", self._limit_header),
            (b"x-ratelimit-remaining", str(remaining).encode()),
            (b"x-ratelimit-reset", str(reset).encode()),
        ]


class Gate:
    """ASGI middleware: request id, body limit, rate limit, cached published answers.

    Parameters
    ----------
    app : ASGI application
        The FastAPI application behind the gate.
    responses : ResponseCache
        Cache filled by the published-index routes.
    tokens : TokenCache
        Verified tokens.
    limiter : RateLimiter
        Requests per caller and minute.
    max_body_bytes : int
        Largest request body accepted, bytes.
    access_log : bool
        Write one line per request to the ``coopgov.platform.access`` logger.
    """

    def __init__(
        self,
        app: Any,
        *,
        responses: ResponseCache,
        tokens: TokenCache,
        limiter: RateLimiter,
        max_body_bytes: int,
        access_log: bool = True,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.responses = responses
        self.tokens = tokens
        self.limiter = limiter
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        client_rid = length = None
        tokens: list[bytes] = []
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                client_rid = value
            elif name == b"x-api-key":
                tokens.append(value)
            elif name == b"content-length":
                length = value
        rid = uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        if client_rid:
            state["client_request_id"] = (
                client_rid[:64].decode("latin-1").encode("ascii", "replace").decode()
            )
        api = scope["path"].startswith("/v1/")
        extra = [(b"x-request-id", rid.encode())]
        if api:
            extra += _API_HEADERS
        status = [0]
        caller = ["-"]

        async def send_logged(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            await self._handle(scope, receive, send_logged, tokens, length, extra, caller)
        finally:
            if self.access_log and access_log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                query = scope.get("query_string", b"")
                access_log.info(
                    '%s "%s %s%s" %s %.1fms rid=%s caller=%s',
                    client[0] if client else "-",
                    scope["method"],
                    scope["path"],
                    "?" + query.decode("latin-1") if query else "",
                    status[0] or "-",
                    (time.perf_counter() - started) * 1e3,
                    rid,
                    caller[0],
                )

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        tokens: list[bytes],
        length: bytes | None,
        extra: list[tuple[bytes, bytes]],
        caller: list[str],
    ) -> None:
        if len(tokens) > 1:
            await _json(
                send, 400, {"error": "X-API-Key sent more than once", "field": "X-API-Key"}, []
            )
            return
        digest = hash_token(tokens[0].decode("latin-1")) if tokens else None
        known = None
        if digest is not None:
            found, known = self.tokens.known(digest)
            if not found:  # verify once (in the thread pool), then from the token cache
                known = await run_in_threadpool(
                    self.tokens.principal_for, tokens[0].decode("latin-1")
                )
        if known is not None:
            caller[0] = known.token_id
        if self.limiter.limit > 0 and scope["path"].startswith("/v1/"):
            client = scope.get("client")
            allowed, headers = self.limiter.hit(
                "token:" + known.token_id
                if known is not None
                else "addr:" + (client[0] if client else "unknown")
            )
            extra += headers
            if not allowed:
                retry = headers[-1][1]
                await _json(
                    send,
                    429,
                    {"error": f"more than {self.limiter.limit} requests per minute"},
                    [(b"retry-after", retry)],
                )
                return
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            await _json(
                send,
                413,
                {"error": f"body larger than {self.max_body_bytes} bytes"},
                [(b"connection", b"close")],
            )
            return
        if scope["method"] == "GET" and self.responses.enabled:
            body = self.responses.current(cache_key(scope))
            if body is not None and (digest is None or known is not None):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return

        received = 0
        limit = self.max_body_bytes
        response_started = [False]

        async def limited_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_tracked(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                response_started[0] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, send_tracked)
        except BodyTooLarge:
            if response_started[0]:
                raise
            await _json(
                send, 413, {"error": f"body larger than {limit} bytes"}, [(b"connection", b"close")]
            )


_API_HEADERS = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]


async def _json(
    send: Send, status: int, payload: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> None:
    """Send a JSON error answer (the gate's own; ``send`` adds the common headers)."""
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
