"""Faults the emulators inject: :class:`Fault`, the rules that choose them, and how they answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

from aiohttp import web
from attrs import define, field, frozen

__all__ = ["CannedAnswer", "Fault", "FaultKind", "FaultRules", "apply_fault", "dumps"]

FaultKind = Literal["status", "delay", "disconnect", "truncated", "wrong_shape"]

JSON_TYPE = "application/json; charset=utf-8"


def dumps(value: Any) -> bytes:
    """Compact JSON bytes, non-ASCII kept as UTF-8 (as the providers send it)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@frozen
class Fault:
    """One way an answer goes wrong. Build it with the class methods, not the constructor.

    - :meth:`status`: an error status with a body (the emulator's usual body for that status
      unless given) and extra headers.
    - :meth:`delay`: wait, then answer normally (a client with a shorter timeout times out).
    - :meth:`disconnect`: cut the connection without any answer.
    - :meth:`truncated`: the normal status and headers, but the body cut mid-JSON.
    - :meth:`wrong_shape`: status 200 with valid JSON of another shape.
    """

    kind: FaultKind
    code: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(factory=dict)
    seconds: float = 0.0

    @classmethod
    def status(
        cls,
        code: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        *,
        retry_after: float | None = None,
    ) -> Fault:
        """Answer ``code``; ``body=None`` uses the emulator's body for that status.

        ``retry_after`` adds a ``Retry-After`` header (whole seconds when integral).
        """
        if not 100 <= code <= 599:
            raise ValueError(f"not an HTTP status: {code}")
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = f"{retry_after:g}"
        return cls("status", code=code, body=body, headers=extra)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before answering normally."""
        if seconds < 0:
            raise ValueError("delay must be >= 0")
        return cls("delay", seconds=seconds)

    @classmethod
    def disconnect(cls) -> Fault:
        """Close the connection without answering (the client sees ``ServerDisconnectedError``).

        aiohttp's client retries an idempotent request (a GET) once by itself after a disconnect,
        so a GET only fails when the fault is set for at least two calls.
        """
        return cls("disconnect")

    @classmethod
    def truncated(cls) -> Fault:
        """Send the normal headers and the first half of the normal body (invalid JSON)."""
        return cls("truncated")

    @classmethod
    def wrong_shape(cls, body: Any = None) -> Fault:
        """Answer 200 with ``body`` (default ``{"unexpected": []}``): valid JSON, wrong shape."""
        return cls("wrong_shape", body={"unexpected": []} if body is None else body)


@define
class CannedAnswer:
    """A prepared answer: status, body bytes and headers (turned into a response at the end)."""

    status: int
    body: bytes
    headers: dict[str, str]

    def response(self) -> web.Response:
        """The aiohttp response for this answer."""
        return web.Response(status=self.status, body=self.body, headers=self.headers)


async def apply_fault(
    fault: Fault,
    request: web.Request,
    headers: dict[str, str],
    normal: Callable[[], CannedAnswer],
    default_body: Callable[[int], Any],
) -> web.StreamResponse:
    """The response for ``request`` when ``fault`` replaces the normal answer.

    ``normal`` makes the normal answer; it is called only by the faults that need it (after the
    wait of a delay), so a status or disconnect fault leaves the emulator's state untouched.
    ``headers`` are the headers of any answer (a status fault adds its own).
    """
    if fault.kind == "status":
        body = default_body(fault.code) if fault.body is None else fault.body
        return CannedAnswer(fault.code, dumps(body), {**headers, **fault.headers}).response()
    if fault.kind == "disconnect":
        if request.transport is not None:
            request.transport.abort()
        return web.Response()  # never written: aiohttp drops it on the closed transport
    if fault.kind == "wrong_shape":
        return CannedAnswer(200, dumps(fault.body), headers).response()
    if fault.kind == "delay":
        await asyncio.sleep(fault.seconds)
        return normal().response()
    answer = normal()
    return CannedAnswer(
        answer.status, answer.body[: len(answer.body) // 2], answer.headers
    ).response()


@define
class _Rule:
    target: str
    scope: str | None
    fault: Fault
    remaining: int | None


class FaultRules:
    """Faults chosen by name (a username or a platform), each for some or all of its calls."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    def add(self, target: str, fault: Fault, *, times: int | None, scope: str | None) -> None:
        """Inject ``fault`` for ``target`` (in ``scope`` only, if given) ``times`` times.

        ``times=None`` means on every call until :meth:`clear`. Rules apply in the order added.
        """
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        self._rules.append(_Rule(target, scope, fault, times))

    def take(
        self, target: str, scope: str, *, kind: FaultKind | None = None, alias: str | None = None
    ) -> Fault | None:
        """The first fault set for ``target`` in ``scope`` or ``alias`` (a narrower scope, such as
        one provider of a platform), of ``kind`` if given, counting it."""
        for rule in self._rules:
            if rule.target != target or rule.scope not in (None, scope, alias or scope):
                continue
            if kind is not None and rule.fault.kind != kind:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._rules.remove(rule)
            return rule.fault
        return None

    def clear(self, target: str | None = None) -> None:
        """Forget the rules for ``target``, or all rules."""
        self._rules = [r for r in self._rules if target is not None and r.target != target]

    def __bool__(self) -> bool:
        return bool(self._rules)
