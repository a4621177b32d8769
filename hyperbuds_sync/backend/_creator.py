"""Who a sync is for: the key the sudden-drop guard compares a sync under.

The guard judges one creator against itself, never a platform's last sync by anyone. A sync names
its creator by, in order: the creator id its caller gives (:func:`for_creator`, which the roster,
``sync_many`` and a service set around each creator's sync), else the backend profile the token
it posts with belongs to, as the backend's last answer to that token said (``backend:<id>``). A
fetched record adds its username. With none of these (a manual entry, no creator named, no
answer seen yet for the token) there is nothing to compare with.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

from ..models import SyncResult
from ._credentials import _ACTING

__all__ = ["CreatorKeys", "creator_named", "for_creator"]

_CREATOR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "hyperbuds_sync_creator", default=None
)
_PROFILE_FIELDS: Final = ("_id", "id", "userId", "user_id")
_KEY_MAX: Final = 128  # the history's creator column
_REMEMBERED: Final = 10_000  # tokens whose profile is remembered (oldest forgotten first)


@contextmanager
def for_creator(creator_id: str) -> Iterator[None]:
    """Syncs made inside this block (in this task) are for ``creator_id``: the sudden-drop guard
    compares them with that creator's last good sync only, and the history records it. A
    context variable, so concurrent tasks each keep their own::

        with acting_for(token), for_creator("c-42"):
            await sync.sync("tiktok", ManualEntry(followers=100))
    """
    reset = _CREATOR.set(creator_id)
    try:
        yield
    finally:
        _CREATOR.reset(reset)


def creator_named() -> str | None:
    """The creator id :func:`for_creator` set for this task, or ``None``."""
    return _CREATOR.get()


def _profile_id(raw: Mapping[str, Any]) -> str | None:
    """The profile id a backend answer carries (``profile._id``, ``id`` or ``userId``)."""
    profile = raw.get("profile")
    if not isinstance(profile, Mapping):
        return None
    for name in _PROFILE_FIELDS:
        value = profile.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            key = f"backend:{value}"
            if len(key) <= _KEY_MAX and key.isprintable():
                return key
    return None


class CreatorKeys:
    """The creator key of each sync: the id given, else the profile its token's last answer
    named. Tokens are remembered as digests only, never as themselves."""

    def __init__(self) -> None:
        self._profiles: dict[str, str] = {}

    @staticmethod
    def _token_key() -> str:
        acting = _ACTING.get()
        if acting is None:
            return "own"  # the client's own token: one user, whatever it refreshes to
        return hashlib.sha256(acting.encode("utf-8", "replace")).hexdigest()

    def before(self) -> str | None:
        """The key to judge a sync under now: the creator id given, else the known profile."""
        return _CREATOR.get() or self._profiles.get(self._token_key())

    def after(self, result: SyncResult) -> str | None:
        """The key to record a successful sync under, learning the profile its answer named."""
        profile = _profile_id(result.raw)
        if profile is not None:
            token = self._token_key()
            self._profiles.pop(token, None)
            self._profiles[token] = profile
            while len(self._profiles) > _REMEMBERED:
                del self._profiles[next(iter(self._profiles))]
        return _CREATOR.get() or profile or self.before()
