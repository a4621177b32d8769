"""The RapidAPI key pool and its quota ledger.

RapidAPI quota is per (application key, API), so everything here is kept per ``(host, key)``:
the last ``x-ratelimit-requests-*`` facts seen, how many calls this pool sent, and until when the
key is *benched* (not used) because its quota is spent or down to the reserve.

The state lives behind the small async :class:`KeyState` protocol so a fleet can share it (a
Redis-backed state comes later); :class:`MemoryKeyState` is the in-process default. Keys are only
ever shown by :func:`fingerprint`.
"""

from __future__ import annotations

import hashlib
import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import attrs
from attrs import frozen

from ._logging import logger, register_secret
from .errors import ApiConfigError, QuotaExceeded
from .models import KeyQuota, QuotaStatus

__all__ = [
    "NO_KEY_MESSAGE",
    "KeyPool",
    "KeyRecord",
    "KeyState",
    "MemoryKeyState",
    "fingerprint",
]

NO_KEY_MESSAGE = (
    "No RapidAPI key configured: set RAPIDAPI_KEY (or RAPIDAPI_KEYS) or pass rapidapi_key="
)

QuotaLowHook = Callable[[QuotaStatus], object]


def fingerprint(key: str) -> str:
    """A short, stable, safe name for a key: ``"abcd…1f2e3d4c"``, never the key itself.

    The first 4 characters are shown only for keys of 16 characters or more (real RapidAPI keys
    are 50), so a short key is not half given away; the rest is ``sha256(key)[:8]``.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    prefix = key[:4] if len(key) >= 16 else ""
    return f"{prefix}…{digest}"


@frozen
class KeyRecord:
    """What the ledger knows about one key on one host. Times are epoch seconds."""

    limit: int | None = None
    remaining: int | None = None
    reset_epoch: float | None = None
    benched_until: float | None = None
    calls: int = 0


@runtime_checkable
class KeyState(Protocol):
    """Where the quota ledger lives. Every method is keyed by host and key fingerprint."""

    async def benched(self, host: str) -> dict[str, float]:
        """``{fingerprint: benched_until_epoch}`` for keys ever benched on ``host``.

        Benches already over may be included; the pool compares them with its clock.
        """
        ...

    async def bench(self, host: str, fp: str, until_epoch: float) -> None:
        """Bench a key on ``host`` until ``until_epoch``, keeping the later of old and new."""
        ...

    async def record(
        self,
        host: str,
        fp: str,
        limit: int | None,
        remaining: int | None,
        reset_epoch: float | None,
    ) -> None:
        """Store the latest quota facts; a ``None`` leaves the stored value as it was."""
        ...

    async def incr_calls(self, host: str, fp: str) -> int:
        """Count one call with a key on ``host``; return the new count."""
        ...

    async def snapshot(self, host: str | None = None) -> dict[str, dict[str, KeyRecord]]:
        """``{host: {fingerprint: KeyRecord}}``, for one host or all, as a copy."""
        ...


class MemoryKeyState:
    """The in-process :class:`KeyState`: a dict, shared by nothing else."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, KeyRecord]] = {}

    def _get(self, host: str, fp: str) -> KeyRecord:
        return self._data.get(host, {}).get(fp) or KeyRecord()

    def _put(self, host: str, fp: str, record: KeyRecord) -> None:
        self._data.setdefault(host, {})[fp] = record

    async def benched(self, host: str) -> dict[str, float]:
        """See :meth:`KeyState.benched`."""
        records = self._data.get(host, {})
        return {fp: r.benched_until for fp, r in records.items() if r.benched_until is not None}

    async def bench(self, host: str, fp: str, until_epoch: float) -> None:
        """See :meth:`KeyState.bench`."""
        old = self._get(host, fp)
        until = max(until_epoch, old.benched_until or until_epoch)
        self._put(host, fp, attrs.evolve(old, benched_until=until))

    async def record(
        self,
        host: str,
        fp: str,
        limit: int | None,
        remaining: int | None,
        reset_epoch: float | None,
    ) -> None:
        """See :meth:`KeyState.record`."""
        self._put(host, fp, _merge(self._get(host, fp), limit, remaining, reset_epoch))

    async def incr_calls(self, host: str, fp: str) -> int:
        """See :meth:`KeyState.incr_calls`."""
        old = self._get(host, fp)
        self._put(host, fp, attrs.evolve(old, calls=old.calls + 1))
        return old.calls + 1

    async def snapshot(self, host: str | None = None) -> dict[str, dict[str, KeyRecord]]:
        """See :meth:`KeyState.snapshot`."""
        hosts = [host] if host is not None else list(self._data)
        return {h: dict(self._data.get(h, {})) for h in hosts}


def _merge(
    old: KeyRecord, limit: int | None, remaining: int | None, reset_epoch: float | None
) -> KeyRecord:
    return attrs.evolve(
        old,
        limit=old.limit if limit is None else limit,
        remaining=old.remaining if remaining is None else remaining,
        reset_epoch=old.reset_epoch if reset_epoch is None else reset_epoch,
    )


def _utc(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def next_month_start(epoch: float) -> float:
    """Epoch seconds of the first instant of the UTC month after ``epoch``."""
    day = datetime.fromtimestamp(epoch, UTC)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime(year, month, 1, tzinfo=UTC).timestamp()


def next_midnight(epoch: float) -> float:
    """Epoch seconds of the next UTC midnight after ``epoch``."""
    day = datetime.fromtimestamp(epoch, UTC)
    return (datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)).timestamp()


class KeyPool:
    """Several RapidAPI keys, spread over calls, benched per host when their quota is spent.

    Args:
        keys: the RapidAPI keys; blanks and duplicates are dropped. Every key is registered with
            the log redaction filter.
        state: where the ledger lives (default: a new :class:`MemoryKeyState`).
        quota_reserve: stop using a key on a host once its last-seen remaining is ``<=`` this;
            it is benched until the period resets.
        quota_low_threshold: when a recorded remaining falls below this, log a WARNING and call
            ``on_quota_low``, once per crossing (again only after it has been back above).
        on_quota_low: called with the host's :class:`QuotaStatus`; may be sync or async, is
            awaited inline (keep it quick), and its exceptions are logged and swallowed.
        clock: epoch seconds (injectable for tests).

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
        self._reserve = quota_reserve
        self._threshold = quota_low_threshold
        self._on_low = on_quota_low
        self._clock = clock
        self._view: dict[str, dict[str, KeyRecord]] = {}  # this process's view, for status()
        self._bad: set[tuple[str, str]] = set()
        self._low: set[tuple[str, str]] = set()

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
        now = self._clock()
        benched = await self._state.benched(host)
        for fp, until in benched.items():
            self._update(host, fp, benched_until=until)
        usable = [k for k in self._keys if benched.get(self._fps[k], now) <= now]
        if not usable:
            raise self._spent(host, benched, now)
        good = [k for k in usable if (host, self._fps[k]) not in self._bad] or usable
        key = min(good, key=lambda k: self._local(host, self._fps[k]).calls)
        fp = self._fps[key]
        self._update(host, fp, calls=self._local(host, fp).calls + 1)  # before the await: spread
        calls = await self._state.incr_calls(host, fp)
        self._update(host, fp, calls=max(calls, self._local(host, fp).calls))
        return key

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
        now = self._clock()
        fp = self.fingerprint_of(key)
        reset_epoch = None if reset_in is None else now + reset_in
        await self._state.record(host, fp, limit, remaining, reset_epoch)
        self._view.setdefault(host, {})[fp] = _merge(
            self._local(host, fp), limit, remaining, reset_epoch
        )
        if remaining is not None and remaining <= self._reserve:
            until = reset_epoch if reset_epoch is not None and reset_epoch > now else None
            await self.bench(host, key, until or next_midnight(now))
        if remaining is not None:
            await self._check_low(host, fp, remaining)

    async def bench(self, host: str, key: str, until_epoch: float) -> datetime:
        """Do not use ``key`` on ``host`` before ``until_epoch``; return that time (UTC)."""
        fp = self.fingerprint_of(key)
        await self._state.bench(host, fp, until_epoch)
        old = self._local(host, fp).benched_until
        until = max(until_epoch, old or until_epoch)
        self._update(host, fp, benched_until=until)
        return datetime.fromtimestamp(until, UTC)

    async def bench_for_quota(
        self, host: str, key: str, *, reset_in: float | None, daily: bool = False
    ) -> datetime:
        """Bench a key whose quota answer came back: until ``now + reset_in`` when the gateway
        said, else the next UTC midnight (``daily``) or the start of next UTC month.

        The bench lasts at least one second, so a zero reset cannot loop.
        """
        now = self._clock()
        if reset_in is not None and reset_in > 0:
            until = now + reset_in
        elif daily:
            until = next_midnight(now)
        else:
            until = next_month_start(now)
        return await self.bench(host, key, max(until, now + 1.0))

    async def _check_low(self, host: str, fp: str, remaining: int) -> None:
        if self._threshold is None:
            return
        if remaining >= self._threshold:
            self._low.discard((host, fp))
            return
        if (host, fp) in self._low:
            return
        self._low.add((host, fp))
        logger.warning("RapidAPI quota low on %s: %d requests left (key %s)", host, remaining, fp)
        if self._on_low is None:
            return
        try:
            result = self._on_low(self.status()[host])
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.warning("on_quota_low hook failed; ignored", exc_info=True)

    # --- reading ----------------------------------------------------------------------------------

    def _local(self, host: str, fp: str) -> KeyRecord:
        return self._view.get(host, {}).get(fp) or KeyRecord()

    def _update(self, host: str, fp: str, **changes: Any) -> None:
        self._view.setdefault(host, {})[fp] = attrs.evolve(self._local(host, fp), **changes)

    def status(self) -> dict[str, QuotaStatus]:
        """``{host: QuotaStatus}`` from this process's view, one :class:`KeyQuota` per key.

        The host-level ``limit`` and ``remaining`` are summed over the keys whose headers were
        seen, ``reset_at`` is the earliest; a bench already over shows as ``None``.
        """
        return _build_status(self._view, self.fingerprints, self._clock())

    async def shared_status(self) -> dict[str, QuotaStatus]:
        """Like :meth:`status`, read from the :class:`KeyState` (the fleet's view when shared)."""
        return _build_status(await self._state.snapshot(), self.fingerprints, self._clock())


def _build_status(
    view: Mapping[str, Mapping[str, KeyRecord]], fps: Sequence[str], now: float
) -> dict[str, QuotaStatus]:
    out: dict[str, QuotaStatus] = {}
    for host, records in sorted(view.items()):
        keys = tuple(_key_quota(fp, records.get(fp) or KeyRecord(), now) for fp in fps)
        limits = [k.limit for k in keys if k.limit is not None]
        remaining = [k.remaining for k in keys if k.remaining is not None]
        resets = [k.reset_at for k in keys if k.reset_at is not None]
        out[host] = QuotaStatus(
            host=host,
            limit=sum(limits) if limits else None,
            remaining=sum(remaining) if remaining else None,
            reset_at=min(resets) if resets else None,
            keys=keys,
        )
    return out


def _key_quota(fp: str, record: KeyRecord, now: float) -> KeyQuota:
    benched = record.benched_until
    return KeyQuota(
        fingerprint=fp,
        limit=record.limit,
        remaining=record.remaining,
        reset_at=_utc(record.reset_epoch),
        benched_until=_utc(benched) if benched is not None and benched > now else None,
        calls=record.calls,
    )
