"""A roster entry's input checked before anything is written: its id, priority and usernames."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import InvalidInput

if TYPE_CHECKING:
    from ..platforms import PlatformRegistry

__all__ = ["checked_usernames"]

_CREATOR_ID = re.compile(r"^[^\x00-\x1f]{1,128}$")


def _check_priority(priority: object) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 1:
        raise InvalidInput(f"priority must be an int >= 1, got {priority!r}")
    return priority


def checked_usernames(
    platforms: PlatformRegistry, creator_id: str, usernames: Mapping[str, str], priority: int
) -> dict[str, str]:
    """``usernames`` keyed by canonical platform name, each username canonical, once the id and
    priority are valid: every entry is checked by its platform, so nothing is written on error.

    Raises:
        InvalidInput: a bad id or priority; UnknownPlatform, InvalidUsername: a bad entry.
    """
    if not isinstance(creator_id, str) or not _CREATOR_ID.match(creator_id):
        raise InvalidInput(f"a creator id is 1 to 128 printable characters, got {creator_id!r}")
    _check_priority(priority)
    if not usernames:
        raise InvalidInput(f"creator {creator_id!r} needs at least one platform's username")
    canonical: dict[str, str] = {}
    for platform, username in usernames.items():
        adapter = platforms.get(platform)
        canonical[adapter.name] = adapter.canonical_username(username)
    return canonical
