"""The creators an emulator serves: per platform, by canonical username (add, remove, look up).

Shared by :class:`RapidAPIEmulator` and :class:`OfficialEmulator`, so both keep their creators
the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from ._creators import PLATFORMS, Creator, canonical_username

__all__ = ["CreatorBook"]


class CreatorBook:
    """Creators per platform of :data:`PLATFORMS`, keyed by :func:`canonical_username`."""

    def __init__(self) -> None:
        self._creators: dict[str, dict[str, Creator]] = {p: {} for p in PLATFORMS}

    def add(self, platform: str, creator: Creator) -> str:
        """Keep ``creator`` on ``platform`` (replacing one with the same username); its name.

        Raises:
            ValueError: ``platform`` is not one of :data:`PLATFORMS`.
        """
        if platform not in self._creators:
            raise ValueError(f"unknown platform {platform!r}; expected one of {PLATFORMS}")
        name = canonical_username(creator.username)
        self._creators[platform][name] = creator
        return name

    def remove(self, platform: str, username: str) -> str:
        """Forget the creator ``username`` on ``platform`` (if kept); the canonical name."""
        name = canonical_username(username)
        self._creators.get(platform, {}).pop(name, None)
        return name

    def get(self, platform: str, name: str) -> Creator | None:
        """The creator whose canonical username on ``platform`` is ``name``, or ``None``."""
        return self._creators.get(platform, {}).get(name)

    def find(self, platform: str, match: Callable[[Creator], bool]) -> Creator | None:
        """The first creator on ``platform`` that ``match`` accepts (an id lookup), or ``None``."""
        return next((c for c in self._creators[platform].values() if match(c)), None)
