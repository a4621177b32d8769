"""Whether an adapter's fast reader, ``parse`` and its defensive reader ``_read`` agree."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from hyperbuds_sync.errors import ProviderError
from hyperbuds_sync.providers.base import _FAST_MISSES, _Adapter


def typed(value: Any) -> Any:
    """``value`` with the type of every field spelled out, so ``True`` never equals ``1``."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), tuple(typed(getattr(value, a.name)) for a in fields))
    if isinstance(value, tuple):
        return tuple(typed(item) for item in value)
    return (type(value), value)


def _outcome(call: Callable[[], Any]) -> Any:
    """What ``call()`` gives: a typed profile, or the provider error's type, text and facts."""
    try:
        return typed(call())
    except ProviderError as error:
        return (
            type(error),
            str(error),
            error.platform,
            error.host,
            getattr(error, "__notes__", None),
        )


def _slow(adapter: _Adapter, username: str, payload: Any) -> Any:
    if not isinstance(payload, Mapping):
        return _outcome(lambda: adapter.parse(username, payload))  # the one shared check
    return _outcome(lambda: adapter._read(username, payload))


def assert_agree(
    adapter: Any, payload: Any, username: str = "someone", *, unchanged: bool = True
) -> bool:
    """Fast reader (when it returns), ``parse`` and ``_read`` agree; True when it was fast.

    ``unchanged`` also checks that the fast reader left ``payload`` as it was.
    """
    slow = _slow(adapter, username, payload)
    fast = False
    if type(payload) is dict:
        before = json.dumps(payload, sort_keys=True, default=repr) if unchanged else ""
        try:
            profile = adapter._read_fast(username, payload)
        except _FAST_MISSES:
            pass
        else:
            fast = True
            assert typed(profile) == slow
        if unchanged:
            assert json.dumps(payload, sort_keys=True, default=repr) == before
    assert _outcome(lambda: adapter.parse(username, payload)) == slow
    return fast
