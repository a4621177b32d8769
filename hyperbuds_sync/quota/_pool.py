"""The RapidAPI key pool and its key state.

RapidAPI quota is per (application key, API), so everything here is kept per ``(host, key)``:
the last ``x-ratelimit-requests-*`` facts seen, how many calls this pool sent, and until when the
key is *benched* (not used) because its quota is spent or down to the reserve.

The state lives behind the small async :class:`KeyState` protocol so a fleet can share it;
:class:`MemoryKeyState` is the in-process default (both in ``_keystate``). Keys are only ever
shown by :func:`fingerprint`.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from .._logging import logger, register_secret
from ..errors import ApiConfigError, QuotaExceeded
from ..models import QuotaStatus
from ._keystate import (
    FleetClock,
    KeyState,
    MemoryKeyState,
    _Entry,
    build_status,
    entry,
    next_midnight,
    next_month_start,
    records,
)

__all__ = ["NO_KEY_MESSAGE", "KeyPool", "QuotaLowHook", "fingerprint"]

NO_KEY_MESSAGE = (
    "No RapidAPI key configured: set RAPIDAPI_KEY (or RAPIDAPI_KEYS) or pass rapidapi_key="
)

QuotaLowHook = Callable[[QuotaStatus], object]

HOOK_GRACE = 10.0
"""Seconds :meth:`KeyPool.aclose` waits for ``on_quota_low`` calls still running."""


def fingerprint(key: str) -> str:
    """A short, stable, safe name for a key: ``"abcd…1f2e3d4c"``, never the key itself.

    The first 4 characters are shown only for keys of 16 characters or more (real RapidAPI keys
    are 50), so a short key is not half given away; the rest is ``sha256(key)[:8]``.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    prefix = key[:4] if len(key) >= 16 else ""
    return f"{prefix}…{digest}"


class KeyPool:
    """Several RapidAPI keys, spread over calls, benched per host when their quota is spent.

    Args:
        keys: the RapidAPI keys; blanks and duplicates are dropped. Every key is registered with
            the log redaction filter.
        state: where the key state lives (default: a new :class:`MemoryKeyState`).
        quota_reserve: stop using a key on a host once its last-seen remaining is ``<=`` this;
            it is benched until the period resets.
        quota_low_threshold: when a recorded remaining falls below this, log a WARNING and call
            ``on_quota_low``, once per crossing (again only after it has been back above).
        on_quota_low: called with the host's :class:`QuotaStatus`, off the fetch's path: an
            async hook as a task, a sync one in a worker thread (``asyncio.to_thread``), one
            call after another in order. The fetch never waits for it and never sees its
            exceptions, which are logged; :meth:`aclose` waits for calls still running.
        clock: this process's epoch seconds (injectable for tests); key state shared by a fleet
            (:class:`FleetClock`) gives the time instead while it can.

    Choosing a key (:meth:`acquire`): benched keys are skipped; keys refused with 401/403 on the
    host (:meth:`mark_bad`) are used only when no other key is left, so a fixed subscription is
    picked up again; among the rest the least used wins. All keys benched -> ``QuotaExceeded``
    without any HTTP request.
    """

    def __init__(
        self,
        keys: Sequence[str],
        *,
        state: KeyState | None = None,
        quota_reserve: int = 0,
        quota_low_threshold: int | None = None,
        on_quota_low: QuotaLowHook | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(keys, str):
            raise TypeError("keys must be a sequence of keys, not one string")
        cleaned = dict.fromkeys(k.strip() for k in keys if k and k.strip())
        self._keys = tuple(cleaned)
        for key in self._keys:
            register_secret(key)
        self._fps = {key: fingerprint(key) for key in self._keys}
        self._state: KeyState = state if state is not None else MemoryKeyState()
        # decided once: a runtime protocol check costs ~10 us, and _now runs twice per request
        self._fleet = self._state if isinstance(self._state, FleetClock) else None
        self._reserve = quota_reserve
        self._threshold = quota_low_threshold
        self._on_low = on_quota_low
        self._clock = clock
        self._skew = 0.0  # the fleet clock minus ours, as last seen
        self._view: dict[str, dict[str, _Entry]] = {}  # this process's view, for status()
        self._bad: set[tuple[str, str]] = set()
        self._low: set[tuple[str, str]] = set()
        self._alerts: set[asyncio.Task[None]] = set()
        self._last_alert: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._fps

    def __repr__(self) -> str:
        return f"KeyPool(keys={list(self.fingerprints)!r}, quota_reserve={self._reserve})"

    @property
    def fingerprints(self) -> tuple[str, ...]:
        """The keys' fingerprints, in pool order."""
        return tuple(self._fps[k] for k in self._keys)

    def fingerprint_of(self, key: str) -> str:
        """The fingerprint of a key of this pool (or of any string)."""
        return self._fps.get(key) or fingerprint(key)

    # --- the clock --------------------------------------------------------------------------------

    async def _now(self) -> float:
        """Epoch seconds on the key state's clock: the fleet's (Redis ``TIME``) for a shared key
        state, so benches and resets agree across processes; else this process's ``clock``."""
        shared = await self._fleet.fleet_now() if self._fleet is not None else None
        if shared is None:
            self._skew = 0.0
            return self._clock()
        now = self._clock()
        self._skew = shared - now
        return shared

    def _last_now(self) -> float:
        """:meth:`_now` without I/O: this process's clock moved by the last skew seen."""
        return self._clock() + self._skew

    # --- choosing ---------------------------------------------------------------------------------

    async def acquire(self, host: str) -> str:
        """A usable key for ``host``, counted as one call.

        Raises:
            ApiConfigError: the pool has no key.
            QuotaExceeded: every key is benched on ``host``; ``reset_at`` is when the first one
                comes back. No HTTP request is made.
        """
        if not self._keys:
            raise ApiConfigError(NO_KEY_MESSAGE)
        benched = await self._state.benched(host)
        usable = self._usable(host, benched, await self._now()) if benched else self._keys
        key = usable[0] if len(usable) == 1 else self._least_used(host, usable)
        fp = self._fps[key]
        mine = entry(self._view, host, fp)
        mine.calls += 1  # before the await: spread
        calls = await self._state.incr_calls(host, fp)
        if calls > mine.calls:
            mine.calls = calls
        return key

    def _usable(self, host: str, benched: Mapping[str, float], now: float) -> Sequence[str]:
        """The keys not benched on ``host`` at ``now``; the view learns the benches."""
        for fp, until in benched.items():
            entry(self._view, host, fp).benched_until = until
        usable = [k for k in self._keys if benched.get(self._fps[k], now) <= now]
        if not usable:
            raise self._spent(host, benched, now)
        return usable

    def _least_used(self, host: str, usable: Sequence[str]) -> str:
        """Among ``usable``, the least used key not refused on ``host`` (first in pool order)."""
        bad, fps = self._bad, self._fps
        good = [k for k in usable if (host, fps[k]) not in bad] if bad else usable
        view = self._view.get(host, {})
        return min(good or usable, key=lambda k: view[fps[k]].calls if fps[k] in view else 0)

    def _spent(self, host: str, benched: Mapping[str, float], now: float) -> QuotaExceeded:
        first = min(u for fp, u in benched.items() if fp in self._fps.values() and u > now)
        reset_at = datetime.fromtimestamp(first, UTC)
        return QuotaExceeded(
            f"Every RapidAPI key is out of quota on {host} ({len(self._keys)} key(s)); "
            f"the first comes back at {reset_at:%Y-%m-%d %H:%M:%S} UTC",
            reset_at=reset_at,
            host=host,
        )

    def mark_bad(self, host: str, key: str) -> None:
        """The host refused ``key`` (401/403): prefer other keys on that host from now on.

        Kept in this process only (a refused key is a configuration fact, not shared quota).
        """
        self._bad.add((host, self.fingerprint_of(key)))

    def mark_ok(self, host: str, key: str) -> None:
        """The host accepted ``key`` again: forget a :meth:`mark_bad`."""
        if self._bad:
            self._bad.discard((host, self.fingerprint_of(key)))

    # --- recording --------------------------------------------------------------------------------

    async def record(
        self,
        host: str,
        key: str,
        *,
        limit: int | None = None,
        remaining: int | None = None,
        reset_in: float | None = None,
    ) -> None:
        """Store the quota headers of one answer (``reset_in`` in seconds from now).

        A remaining at or below the reserve benches the key until the reset; when no reset was
        given, until the next UTC midnight (the shortest plan period: if the key is still spent
        then, one call finds out and benches it properly). A remaining below the alert
        threshold fires the alert once.
        """
        if limit is None and remaining is None and reset_in is None:
            return
        now = await self._now() if self._fleet is not None else self._clock()  # no await alone
        fp = self.fingerprint_of(key)
        reset_epoch = None if reset_in is None else now + reset_in
        await self._state.record(host, fp, limit, remaining, reset_epoch)
        entry(self._view, host, fp).learn(limit, remaining, reset_epoch)
        if remaining is None:
            return
        if remaining <= self._reserve:
            until = reset_epoch if reset_epoch is not None and reset_epoch > now else None
            await self.bench(host, key, until or next_midnight(now))
        if self._threshold is not None:
            self._check_low(host, fp, remaining)

    async def bench(self, host: str, key: str, until_epoch: float) -> datetime:
        """Do not use ``key`` on ``host`` before ``until_epoch``; return that time (UTC)."""
        fp = self.fingerprint_of(key)
        await self._state.bench(host, fp, until_epoch)
        held = entry(self._view, host, fp)
        until = max(until_epoch, held.benched_until or until_epoch)
        held.benched_until = until
        return datetime.fromtimestamp(until, UTC)

    async def bench_for_quota(
        self, host: str, key: str, *, reset_in: float | None, daily: bool = False
    ) -> datetime:
        """Bench a key whose quota answer came back: until ``now + reset_in`` when the gateway
        said, else the next UTC midnight (``daily``) or the start of next UTC month.

        The bench lasts at least one second, so a zero reset cannot loop.
        """
        now = await self._now()
        if reset_in is not None and reset_in > 0:
            until = now + reset_in
        elif daily:
            until = next_midnight(now)
        else:
            until = next_month_start(now)
        return await self.bench(host, key, max(until, now + 1.0))

    def _check_low(self, host: str, fp: str, remaining: int) -> None:
        if self._threshold is None:
            return
        if remaining >= self._threshold:
            self._low.discard((host, fp))
            return
        if (host, fp) in self._low:
            return
        self._low.add((host, fp))
        logger.warning("RapidAPI quota low on %s: %d requests left (key %s)", host, remaining, fp)
        if self._on_low is not None:
            self._alert(self._on_low, self.status()[host])

    def _alert(self, hook: QuotaLowHook, status: QuotaStatus) -> None:
        """Run ``hook`` as a task of its own, after the alerts before it."""
        task = asyncio.get_running_loop().create_task(_call_hook(hook, status, self._last_alert))
        self._last_alert = task
        self._alerts.add(task)
        task.add_done_callback(self._alerts.discard)

    async def aclose(self) -> None:
        """Wait for ``on_quota_low`` calls still running (at most :data:`HOOK_GRACE` seconds),
        then cancel what is left. The pool stays usable."""
        pending = set(self._alerts)
        if not pending:
            return
        _done, late = await asyncio.wait(pending, timeout=HOOK_GRACE)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def recall(self, quota: Mapping[str, QuotaStatus]) -> None:
        """Take the quota facts and key benches an earlier process saw (``status()``'s shape):
        keys of this pool only; a bench already over, or facts past their reset, are skipped."""
        now = self._clock()
        mine = set(self._fps.values())
        for host, status in quota.items():
            for key in status.keys:
                if key.fingerprint not in mine:
                    continue
                reset = None if key.reset_at is None else key.reset_at.timestamp()
                if reset is None or reset > now:
                    await self._state.record(host, key.fingerprint, key.limit, key.remaining, reset)
                    entry(self._view, host, key.fingerprint).learn(key.limit, key.remaining, reset)
                until = None if key.benched_until is None else key.benched_until.timestamp()
                if until is not None and until > now:
                    await self._state.bench(host, key.fingerprint, until)
                    held = entry(self._view, host, key.fingerprint)
                    held.benched_until = max(until, held.benched_until or until)

    # --- reading ----------------------------------------------------------------------------------

    def status(self) -> dict[str, QuotaStatus]:
        """``{host: QuotaStatus}`` from this process's view, one :class:`KeyQuota` per key.

        The host-level ``limit`` and ``remaining`` are summed over the keys whose headers were
        seen, ``reset_at`` is the earliest; a bench already over shows as ``None``.
        """
        return build_status(records(self._view), self.fingerprints, self._last_now())

    async def shared_status(self) -> dict[str, QuotaStatus]:
        """Like :meth:`status`, read from the :class:`KeyState` (the fleet's view when shared)."""
        return build_status(await self._state.known(), self.fingerprints, await self._now())


async def _call_hook(
    hook: QuotaLowHook, status: QuotaStatus, before: asyncio.Task[None] | None
) -> None:
    """Call the alert hook once ``before`` is over; log what it raises, never raise it."""
    if before is not None:
        await asyncio.wait([before])
    try:
        if inspect.iscoroutinefunction(hook) or inspect.iscoroutinefunction(
            getattr(hook, "__call__", None)  # noqa: B004 - an instance with an async __call__
        ):
            result = hook(status)
        else:
            result = await asyncio.to_thread(hook, status)
        if inspect.isawaitable(result):
            await result
    except Exception:
        logger.warning("on_quota_low hook failed; ignored", exc_info=True)
