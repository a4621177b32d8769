"""A bounded memo of canonical usernames and cache keys, for ``SocialSync.fetch``."""

from __future__ import annotations

from collections import OrderedDict

from ..platforms import Provider

__all__ = ["NameMemo"]


class NameMemo:
    """The canonical username and cache key per (platform, raw username), at most ``size``.

    Assumes ``canonical_username`` is a pure function of its argument (adapters are pure, see
    :class:`~hyperbuds_sync.platforms.Provider`). An adapter replaced in the registry is not
    served the old one's answers; invalid names raise each time and are not kept; beyond
    ``size`` names the oldest goes (about 250 bytes each).
    """

    __slots__ = ("_names", "size")

    def __init__(self, size: int = 4_096) -> None:
        self.size = size
        self._names: OrderedDict[tuple[str, str], tuple[Provider, str, str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._names)

    def key(self, adapter: Provider, username: str) -> tuple[str, str]:
        """``(canonical username, "platform:username")``, or :class:`InvalidUsername`."""
        if type(username) is not str:  # unhashable or odd input: let the adapter reject it
            name = adapter.canonical_username(username)
            return name, f"{adapter.platform}:{name}"
        slot = (adapter.platform, username)
        known = self._names.get(slot)
        if known is not None and known[0] is adapter:
            return known[1], known[2]
        name = adapter.canonical_username(username)
        key = f"{adapter.platform}:{name}"
        if len(self._names) >= self.size:
            self._names.popitem(last=False)
        self._names[slot] = (adapter, name, key)
        return name, key
