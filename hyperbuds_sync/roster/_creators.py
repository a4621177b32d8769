"""A roster entry's input checked before anything is written: its id, priority and usernames."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import InvalidInput
from ..history import check_creator_id, check_priority, check_username

if TYPE_CHECKING:
    from ..platforms import PlatformRegistry

__all__ = ["checked_usernames"]


def checked_usernames(
    platforms: PlatformRegistry, creator_id: str, usernames: Mapping[str, str], priority: int
) -> dict[str, str]:
    """``usernames`` keyed by canonical platform name, each username canonical, once the id and
    priority are valid: every entry is checked by its platform, so nothing is written on error.

    Raises:
        InvalidInput: a bad id or priority (the history's rules: :func:`check_creator_id`,
            :func:`check_priority`); UnknownPlatform, InvalidUsername: a bad entry.
    """
    check_creator_id(creator_id)
    check_priority(priority)
    if not usernames:
        raise InvalidInput(f"creator {creator_id!r} needs at least one platform's username")
    canonical: dict[str, str] = {}
    for platform, username in usernames.items():
        adapter = platforms.get(platform)
        name = adapter.canonical_username(username)
        canonical[adapter.platform] = check_username(adapter.platform, name)
    return canonical
