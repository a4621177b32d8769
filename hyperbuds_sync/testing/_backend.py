"""An in-process emulator of the HyperBuds backend's social-sync routes.

``POST {prefix}/profiles/social-sync/{platform}`` stores one platform's stats for the caller (one
bearer token = one user) and answers the profile's aggregate, as the real backend does: the
platform capitalised in the message, totals over every platform held, Joi's validation errors, and
``Invalid platform type`` for an unknown platform. The real backend has no batch endpoint, so
``POST .../social-sync/batch`` is the platform ``batch`` (a 400) unless ``batch=True`` serves one.
Unknown routes answer Express's HTML 404.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from aiohttp import web
from attrs import frozen

from ._faults import JSON_TYPE, CannedAnswer, Fault, FaultRules, apply_fault, dumps
from ._server import EmulatorServer
from ._validation import validate_stats

__all__ = [
    "BACKEND_PLATFORMS",
    "TEST_TOKEN",
    "BackendEmulator",
    "RecordedRequest",
    "synced_message",
    "validate_stats",
]

TEST_TOKEN = "test-token"
"""The bearer token the backend emulator accepts by default."""

BACKEND_PLATFORMS = ("tiktok", "twitter", "twitch", "instagram", "youtube")
"""The platforms the backend accepts stats for."""

_INVALID_PLATFORM = "Invalid platform type"
_HIDDEN_HEADERS = frozenset({"authorization", "cookie"})
_EXPRESS_404 = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
    "</head>\n<body>\n<pre>Cannot {method} {path}</pre>\n</body>\n</html>\n"
)


@frozen
class RecordedRequest:
    """One request the backend emulator received.

    ``body`` is the parsed JSON, or the raw text when it was not JSON. ``headers`` leave out
    ``Authorization`` and ``Cookie``, so no token is kept or shown.
    """

    method: str
    path: str
    body: Any
    headers: Mapping[str, str]


def _validation_failed(detail: Mapping[str, Any]) -> CannedAnswer:
    """A 400 as the real backend's Joi middleware answers it."""
    return _json(400, {"message": "Validation failed", "details": [dict(detail)]})


def synced_message(platform: str) -> str:
    """The real backend's success message: ``Social media Tiktok synced successfully``."""
    return f"Social media {platform.capitalize()} synced successfully"


def _now_iso() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _json(status: int, body: Any) -> CannedAnswer:
    return CannedAnswer(status, dumps(body), {"Content-Type": JSON_TYPE})


def _error_body(code: int) -> dict[str, Any]:
    return {"success": False, "message": HTTPStatus(code).phrase}


class BackendEmulator(EmulatorServer):
    """The HyperBuds backend's social-sync routes, on loopback.

    Use ``async with BackendEmulator() as be:`` and point the SDK's API URL at ``be.url``
    (``http://127.0.0.1:PORT/api/v1``, mimicking the real base URL).

    Args:
        tokens: the bearer tokens accepted; each is one user with its own profile. Any other
            (or no) ``Authorization: Bearer`` header answers 401.
        batch: serve ``POST .../social-sync/batch`` (the real backend has none: by default the
            batch reaches the platform route and answers 400 ``Invalid platform type``).
        prefix: the path prefix of every route, and of :attr:`url`.

    Every request is kept in :attr:`requests`, without its ``Authorization`` header.
    """

    def __init__(
        self,
        *,
        tokens: Collection[str] = (TEST_TOKEN,),
        batch: bool = False,
        prefix: str = "/api/v1",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self._url_path = prefix.rstrip("/")
        self.tokens = frozenset(tokens)
        self.batch = batch
        self.requests: list[RecordedRequest] = []
        """Every request received, oldest first."""
        self._rules = FaultRules()
        self._profiles: dict[str, dict[str, dict[str, Any]]] = {}
        base = f"{self._url_path}/profiles/social-sync"
        if batch:
            self.app.router.add_post(f"{base}/batch", self._handle_batch)
        self.app.router.add_post(base + "/{platform}", self._handle_one)
        self.app.router.add_route("*", "/{tail:.*}", self._handle_unknown)

    # --- test controls ----------------------------------------------------------------------------

    def fail(self, target: str, fault: int | Fault, *, times: int | None = None) -> None:
        """Answer syncs of ``target`` with ``fault`` (a status code or a :class:`Fault`).

        ``target`` is a platform, or ``"batch"`` for the whole batch route. ``times=None`` fails
        every call. Faults come before the token check, like an outage in front of the backend. In
        a batch, a platform's status fault fails that platform's entry only; its other faults apply
        to the single-platform route alone.
        """
        chosen = Fault.status(fault) if isinstance(fault, int) else fault
        self._rules.add(target.lower(), chosen, times=times, scope=None)

    def clear_faults(self, target: str | None = None) -> None:
        """Forget the faults set for ``target``, or all of them."""
        self._rules.clear(None if target is None else target.lower())

    def profile(self, token: str = TEST_TOKEN) -> dict[str, Any]:
        """The profile aggregate of ``token``'s user, as the routes answer it under ``profile``.

        Recomputed over every platform held, zeros included, as the real answer is:
        ``totalFollowers`` sums their followers; ``avgEngagement`` is the mean of their
        engagements (0.0 for a platform synced with followers only), rounded to 2 decimals.
        """
        breakdown = {p: dict(v) for p, v in self._profiles.get(token, {}).items()}
        engagements = [v["engagement"] for v in breakdown.values()]
        average = round(sum(engagements) / len(engagements), 2) if engagements else 0.0
        return {
            "_id": hashlib.sha256(token.encode()).hexdigest()[:24],
            "stats": {
                "platformBreakdown": breakdown,
                "totalFollowers": sum(v["followers"] for v in breakdown.values()),
                "avgEngagement": average,
            },
        }

    def reset(self) -> None:
        """Forget every synced profile, recorded request and fault."""
        self._profiles.clear()
        self.requests.clear()
        self._rules.clear()

    # --- routes -----------------------------------------------------------------------------------

    async def _record(self, request: web.Request) -> Any:
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:  # UnicodeDecodeError included
            body = raw.decode(errors="replace")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HIDDEN_HEADERS}
        self.requests.append(RecordedRequest(request.method, request.path, body, headers))
        return body

    async def _handle_one(self, request: web.Request) -> web.StreamResponse:
        body = await self._record(request)
        platform = request.match_info["platform"].lower()

        def normal() -> CannedAnswer:
            return self._sync_one(request, platform, body)

        fault = self._rules.take(platform, "one") if self._rules else None
        if fault is None:
            return normal().response()
        return await apply_fault(fault, request, {"Content-Type": JSON_TYPE}, normal, _error_body)

    async def _handle_batch(self, request: web.Request) -> web.StreamResponse:
        body = await self._record(request)

        def normal() -> CannedAnswer:
            return self._sync_batch(request, body)

        fault = self._rules.take("batch", "batch") if self._rules else None
        if fault is None:
            return normal().response()
        return await apply_fault(fault, request, {"Content-Type": JSON_TYPE}, normal, _error_body)

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        return self._not_found(request).response()

    @staticmethod
    def _not_found(request: web.Request) -> CannedAnswer:
        html = _EXPRESS_404.format(method=request.method, path=request.path)
        headers = {"Content-Type": "text/html; charset=utf-8", "X-Content-Type-Options": "nosniff"}
        return CannedAnswer(404, html.encode(), headers)

    def _token(self, request: web.Request) -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token in self.tokens else None

    # --- syncing ----------------------------------------------------------------------------------

    def _store(self, token: str, platform: str, stats: Mapping[str, int | float]) -> None:
        entries = self._profiles.setdefault(token, {})
        entry = entries.get(platform, {"followers": 0, "engagement": 0.0})
        entries[platform] = {**entry, **stats, "lastSynced": _now_iso()}

    def _sync_one(self, request: web.Request, platform: str, body: Any) -> CannedAnswer:
        token = self._token(request)
        if token is None:
            return _json(401, {"success": False, "message": "Unauthorized"})
        if platform not in BACKEND_PLATFORMS:
            return _json(400, {"success": False, "message": _INVALID_PLATFORM})
        stats, problem = validate_stats(body)
        if problem is not None:
            return _validation_failed(problem)
        self._store(token, platform, stats)
        message = synced_message(platform)
        return _json(200, {"success": True, "message": message, "profile": self.profile(token)})

    def _sync_batch(self, request: web.Request, body: Any) -> CannedAnswer:
        token = self._token(request)
        if token is None:
            return _json(401, {"success": False, "message": "Unauthorized"})
        if not isinstance(body, dict) or not body:
            message = "body must be a JSON object naming at least one platform"
            return _json(400, {"success": False, "message": message})
        results = {
            str(p).lower(): self._batch_entry(token, str(p).lower(), v) for p, v in body.items()
        }
        synced = sum(1 for r in results.values() if r["success"])
        return _json(
            200,
            {
                "success": synced > 0,
                "message": f"{synced} of {len(results)} platforms synced",
                "results": results,
                "profile": self.profile(token),
            },
        )

    def _batch_entry(self, token: str, platform: str, body: Any) -> dict[str, Any]:
        fault = self._rules.take(platform, "batch", kind="status") if self._rules else None
        if fault is not None:
            failed = fault.body if isinstance(fault.body, dict) else _error_body(fault.code)
            message = str(failed.get("message", HTTPStatus(fault.code).phrase))
            return {"success": False, "message": message, "status": fault.code}
        if platform not in BACKEND_PLATFORMS:
            return {"success": False, "message": _INVALID_PLATFORM, "status": 400}
        stats, problem = validate_stats(body)
        if problem is not None:
            return {"success": False, "message": problem["message"], "status": 400}
        self._store(token, platform, stats)
        return {"success": True, "message": synced_message(platform)}
