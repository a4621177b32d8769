"""Records to pandas: ``to_pandas(items)`` builds a DataFrame, one row per record.

::

    from hyperbuds_sync import to_pandas

    frame = to_pandas([await sync.fetch("twitch", name) for name in names])
    frame.plot(x="username", y="followers", kind="bar")

Any object with a ``to_record()`` method giving a flat snake_case mapping is a row
(:class:`~hyperbuds_sync.PlatformData`, :class:`~hyperbuds_sync.SyncOutcome`,
:class:`~hyperbuds_sync.QuotaStatus`, the history's snapshots and growth windows); a
:class:`~hyperbuds_sync.SyncReport` gives one row per platform, a :class:`~hyperbuds_sync.Growth`
one row per window (a list of growths: one row per creator). pandas is the optional extra
``hyperbuds-sync[pandas]``; nothing here imports it until ``to_pandas`` is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._install import install_hint
from .errors import ConfigError, InvalidInput
from .history import Growth
from .models import SyncReport

if TYPE_CHECKING:
    import pandas

__all__ = ["SupportsRecord", "to_pandas"]

PANDAS_MISSING = (
    f"to_pandas needs pandas, an optional extra: {install_hint('pandas')} (or pip install pandas)"
)


@runtime_checkable
class SupportsRecord(Protocol):
    """A record that can be one row of a table: ``to_record()`` gives snake_case keys and
    plain values (numbers, strings, datetimes, ``None``)."""

    def to_record(self) -> Mapping[str, Any]:
        """The record as one flat row."""
        ...


Rows = (
    SupportsRecord | SyncReport | Growth | Iterable[SupportsRecord] | Mapping[Any, SupportsRecord]
)


def records(items: Rows) -> list[Mapping[str, Any]]:
    """The rows ``to_pandas`` would build its frame from, without pandas.

    ``items`` is one record, a :class:`~hyperbuds_sync.SyncReport` or
    :class:`~hyperbuds_sync.Growth`, an iterable of records, or
    a mapping whose values are records (as ``sync.quota()`` returns).
    """
    if isinstance(items, SyncReport):
        items = items.outcomes.values()
    elif isinstance(items, Growth):
        items = items.windows.values()
    elif isinstance(items, Mapping):
        items = items.values()
    elif isinstance(items, SupportsRecord):
        items = [items]
    rows = []
    for item in items:
        if not isinstance(item, SupportsRecord):
            raise InvalidInput(f"to_pandas takes records with a to_record(), not {item!r:.60}")
        rows.append(item.to_record())
    return rows


def to_pandas(items: Rows) -> pandas.DataFrame:
    """A DataFrame of ``items``, one row each, snake_case columns; datetimes as datetime64.

    Raises:
        ConfigError: pandas is not installed.
        InvalidInput: an item has no ``to_record()``.
    """
    try:
        import pandas
    except ImportError:
        raise ConfigError(PANDAS_MISSING) from None
    rows = records(items)
    frame = pandas.DataFrame.from_records(rows) if rows else pandas.DataFrame()
    for column in frame.columns:
        if _holds_datetimes(frame[column]):
            frame[column] = pandas.to_datetime(frame[column], utc=True)
    return frame


def _holds_datetimes(column: pandas.Series[Any]) -> bool:
    """Whether ``column`` holds Python datetimes (missing values aside), not yet datetime64."""
    if column.dtype != object:
        return False
    values = column.dropna()
    return len(values) > 0 and all(isinstance(v, datetime) for v in values)
