"""One validation before either store: what one database would keep and the other refuse (or keep
differently) is refused here first, so SQLite and PostgreSQL hold the same rows and every refusal
is an :class:`~hyperbuds_sync.errors.InvalidInput`.

The rules: text (platform, username, provider, formula, creator id) is valid Unicode (no lone
surrogate), holds no NUL and fits its column; counts (followers, following, content) are ints
from 0 to 2**63 - 1 (a signed 64-bit column); engagement is a finite number or ``None`` (NaN is
NULL on one database and NaN on the other); a roster priority is an int from 1 to 1,000,000.
The column lengths live here and :mod:`._schema` builds its columns from them, so the rule and the
column cannot drift apart. No SQLAlchemy here: the recorder checks at its entry without the extra.
"""

from __future__ import annotations

import math
import re
from typing import Final

from ..errors import InvalidInput, InvalidStats, InvalidUsername
from ._types import Snapshot, SyncRecord

__all__ = [
    "BIGINT_MAX",
    "CREATOR_MAX",
    "PLATFORM_MAX",
    "PRIORITY_MAX",
    "PROVIDER_MAX",
    "USERNAME_MAX",
    "check_count",
    "check_creator_id",
    "check_engagement",
    "check_platform",
    "check_priority",
    "check_snapshot",
    "check_sync_record",
    "check_username",
]

PLATFORM_MAX: Final = 32
USERNAME_MAX: Final = 128
CREATOR_MAX: Final = 128
PROVIDER_MAX: Final = 64
FORMULA_MAX: Final = 64
BIGINT_MAX: Final = 2**63 - 1
"""The largest value of a signed 64-bit column (``BIGINT``)."""
PRIORITY_MAX: Final = 1_000_000
"""The highest roster priority (the planner's weights stay far inside a 32-bit column)."""

_SHOWN = 40  # characters of a refused text shown in a message
_CONTROL = re.compile("[\x00-\x1f]")  # the characters below U+0020
_SURROGATE = "\ud800-\udfff"  # a lone surrogate has no UTF-8 form
_BAD_TEXT = re.compile(f"[\x00{_SURROGATE}]")
_BAD_NAME = re.compile(f"[\x00-\x1f{_SURROGATE}]")


def shown(value: object) -> str:
    """``repr(value)``, cut to a readable length (a 10 KB username is not echoed whole)."""
    text = repr(value)
    return text if len(text) <= _SHOWN + 2 else f"{text[:_SHOWN]}...' ({len(str(value)):,} chars)"


def text_problem(value: object, limit: int, *, controls: bool = True) -> str | None:
    """Why ``value`` cannot be stored in a text column of ``limit`` characters, or ``None``.

    ``controls=False`` refuses every control character (below U+0020), not only NUL.
    """
    if not isinstance(value, str):
        return f"must be a str, not {type(value).__name__}"
    if not value:
        return "is empty"
    if len(value) > limit:
        return f"is {len(value):,} characters long, more than {limit}"
    bad = (_BAD_TEXT if controls else _BAD_NAME).search(value)  # one pass, the usual case
    if bad is None:
        return None
    if "\x00" in value:
        return "holds a NUL character"
    if not controls and _CONTROL.search(value):
        return "holds a control character"
    return "holds a lone surrogate (not valid Unicode text)"


def check_platform(platform: object) -> str:
    """``platform`` if it fits the platform column, else :class:`InvalidInput`."""
    problem = text_problem(platform, PLATFORM_MAX, controls=False)
    if problem is not None:
        raise InvalidInput(f"platform {shown(platform)} {problem}")
    return platform  # type: ignore[return-value]


def check_username(platform: str, username: object) -> str:
    """``username`` if it fits the username column, else :class:`InvalidUsername`."""
    problem = text_problem(username, USERNAME_MAX)
    if problem is not None:
        named = username if isinstance(username, str) else shown(username)
        if len(named) > _SHOWN:  # the error names it; a 10 KB name is cut, its length said
            named = f"{named[:_SHOWN]}... ({len(named):,} chars)"
        raise InvalidUsername(platform, named, problem)
    return username  # type: ignore[return-value]


def check_creator_id(creator_id: object) -> str:
    """``creator_id`` if it is 1 to 128 printable characters, else :class:`InvalidInput`."""
    problem = text_problem(creator_id, CREATOR_MAX, controls=False)
    if problem is not None:
        raise InvalidInput(
            f"a creator id is 1 to {CREATOR_MAX} printable characters; "
            f"{shown(creator_id)} {problem}"
        )
    return creator_id  # type: ignore[return-value]


def check_priority(priority: object) -> int:
    """``priority`` if it is an int from 1 to :data:`PRIORITY_MAX`, else :class:`InvalidInput`."""
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise InvalidInput(f"priority must be an int, got {shown(priority)}")
    if not 1 <= priority <= PRIORITY_MAX:
        raise InvalidInput(f"priority must be from 1 to {PRIORITY_MAX:,}, got {priority!r}")
    return priority


def check_count(name: str, value: object) -> int:
    """A count (followers, following, content) from 0 to :data:`BIGINT_MAX`, else
    :class:`InvalidStats`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidStats(f"{name} must be an int, got {shown(value)}")
    if not 0 <= value <= BIGINT_MAX:
        raise InvalidStats(f"{name} must be from 0 to 2**63 - 1, got {shown(value)}")
    return value


def check_engagement(name: str, value: object) -> float | None:
    """An engagement figure: a finite number or ``None``, else :class:`InvalidStats`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidStats(f"{name} must be a number or None, got {shown(value)}")
    if not math.isfinite(value):
        raise InvalidStats(f"{name} must be a finite number or None, got {value!r}")
    return float(value)


def _check_text(name: str, value: object, limit: int) -> None:
    """An optional text field (provider, formula): empty is fine, else the column's rules."""
    if value == "":
        return
    problem = text_problem(value, limit)
    if problem is not None:
        raise InvalidInput(f"{name} {shown(value)} {problem}")


def check_snapshot(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` if both stores would keep it alike, else :class:`InvalidInput` (a subclass:
    :class:`InvalidUsername`, :class:`InvalidStats`)."""
    if not isinstance(snapshot, Snapshot):
        raise InvalidInput(f"a history store keeps Snapshot records, not {type(snapshot).__name__}")
    check_platform(snapshot.platform)
    check_username(snapshot.platform, snapshot.username)
    _check_text("provider", snapshot.provider, PROVIDER_MAX)
    _check_text("formula", snapshot.formula, FORMULA_MAX)
    for name in ("followers", "following", "total_content"):
        check_count(name, getattr(snapshot, name))
    for name in ("total_engagement", "average_engagement"):
        check_engagement(name, getattr(snapshot, name))
    return snapshot


def check_sync_record(record: SyncRecord) -> SyncRecord:
    """``record`` if both stores would keep it alike, else :class:`InvalidInput`."""
    if not isinstance(record, SyncRecord):
        raise InvalidInput(f"record_sync keeps SyncRecord records, not {type(record).__name__}")
    check_platform(record.platform)
    if record.username is not None:
        check_username(record.platform, record.username)
    if record.creator is not None:
        check_creator_id(record.creator)
    for name in ("followers", "total_followers"):
        value = getattr(record, name)
        if value is not None:
            check_count(name, value)
    for name in ("engagement", "avg_engagement"):
        check_engagement(name, getattr(record, name))
    return record
