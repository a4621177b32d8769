"""The key pool's key state: what is known per ``(host, key)``, and where it lives.

:class:`KeyRecord` is one key's facts on one host; :class:`KeyState` is the small async protocol
a store satisfies (:class:`MemoryKeyState` in process, a Redis state for a fleet). The pool
itself is :class:`hyperbuds_sync.quota.KeyPool`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from attrs import frozen

from ..models import KeyQuota, QuotaStatus

__all__ = [
    "FleetClock",
    "KeyRecord",
    "KeyState",
    "MemoryKeyState",
    "build_status",
    "entry",
    "next_midnight",
    "next_month_start",
    "records",
]


@frozen
class KeyRecord:
    """What the key state knows about one key on one host. Times are epoch seconds."""

    limit: int | None = None
    remaining: int | None = None
    reset_epoch: float | None = None
    benched_until: float | None = None
    calls: int = 0


@runtime_checkable
class KeyState(Protocol):
    """Where the key state lives. Every method is keyed by host and key fingerprint."""

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

    async def known(self, host: str | None = None) -> dict[str, dict[str, KeyRecord]]:
        """``{host: {fingerprint: KeyRecord}}``, for one host or all, as a copy."""
        ...


@runtime_checkable
class FleetClock(Protocol):
    """Key state shared by a fleet keeps its epochs on one clock (the Redis server's), not on
    each process's wall clock; the key pool asks it for "now" when it offers one."""

    async def fleet_now(self) -> float | None:
        """Epoch seconds on the shared clock, or ``None`` to use the process's own."""
        ...


class _Entry:
    """One key's facts on one host, changed in place (the books are kept on every call);
    :meth:`record` gives the frozen :class:`KeyRecord` the outside sees."""

    __slots__ = ("benched_until", "calls", "limit", "remaining", "reset_epoch")

    def __init__(self) -> None:
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_epoch: float | None = None
        self.benched_until: float | None = None
        self.calls = 0

    def learn(self, limit: int | None, remaining: int | None, reset_epoch: float | None) -> None:
        """Take the given facts; a ``None`` keeps the value held."""
        if limit is not None:
            self.limit = limit
        if remaining is not None:
            self.remaining = remaining
        if reset_epoch is not None:
            self.reset_epoch = reset_epoch

    def record(self) -> KeyRecord:
        return KeyRecord(
            self.limit, self.remaining, self.reset_epoch, self.benched_until, self.calls
        )


def entry(book: dict[str, dict[str, _Entry]], host: str, fp: str) -> _Entry:
    """The entry for ``(host, fp)`` in ``book``, created empty on first use."""
    records = book.get(host)
    if records is None:
        records = book[host] = {}
    found = records.get(fp)
    if found is None:
        found = records[fp] = _Entry()
    return found


def records(book: Mapping[str, Mapping[str, _Entry]]) -> dict[str, dict[str, KeyRecord]]:
    """``book`` as frozen records, a copy."""
    return {host: {fp: e.record() for fp, e in entries.items()} for host, entries in book.items()}


class MemoryKeyState:
    """The in-process :class:`KeyState`: a dict, shared by nothing else."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, _Entry]] = {}

    async def benched(self, host: str) -> dict[str, float]:
        """See :meth:`KeyState.benched`."""
        held = self._data.get(host)
        if not held:
            return {}
        return {fp: e.benched_until for fp, e in held.items() if e.benched_until is not None}

    async def bench(self, host: str, fp: str, until_epoch: float) -> None:
        """See :meth:`KeyState.bench`."""
        held = entry(self._data, host, fp)
        until = max(until_epoch, held.benched_until or until_epoch)
        held.benched_until = until

    async def record(
        self,
        host: str,
        fp: str,
        limit: int | None,
        remaining: int | None,
        reset_epoch: float | None,
    ) -> None:
        """See :meth:`KeyState.record`."""
        entry(self._data, host, fp).learn(limit, remaining, reset_epoch)

    async def incr_calls(self, host: str, fp: str) -> int:
        """See :meth:`KeyState.incr_calls`."""
        held = entry(self._data, host, fp)
        held.calls += 1
        return held.calls

    async def known(self, host: str | None = None) -> dict[str, dict[str, KeyRecord]]:
        """See :meth:`KeyState.known`."""
        if host is None:
            return records(self._data)
        return records({host: self._data.get(host, {})})


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


def build_status(
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
