"""Every exported error survives pickle: type, message and attributes (issue 10, point 12)."""

from __future__ import annotations

import inspect
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest

import hyperbuds_sync
from hyperbuds_sync import errors
from hyperbuds_sync.errors import HyperbudsSyncError

# A value per constructor parameter name; a new error class with a new parameter fails below
# until its value is added here.
VALUES: dict[str, Any] = {
    "message": "it went wrong",
    "platform": "tiktok",
    "known": ("tiktok", "twitch"),
    "username": "some_creator",
    "reason": "too long",
    "name": "median",
    "host": "tiktok-api23.p.rapidapi.com",
    "status": 429,
    "request_id": "req-1",
    "reset_at": datetime(2026, 12, 1, tzinfo=UTC),
    "retry_after": 1.5,
    "details": ('"followers" is required',),
    "previous": 250_000,
    "previous_at": datetime(2026, 11, 30, tzinfo=UTC),
    "current": 0,
    "current_at": datetime(2026, 12, 1, tzinfo=UTC),
    "provider": "tiktok-api23",
    "attempts": (("tiktok-api23", errors.QuotaExceeded("spent", provider="tiktok-api23")),),
}
FACTS = {"platform": "tiktok", "host": "tiktok-api23.p.rapidapi.com", "status": 429}


def exported() -> list[type[HyperbudsSyncError]]:
    names = {*errors.__all__, *hyperbuds_sync.__all__}
    found = {getattr(errors, n, None) or getattr(hyperbuds_sync, n) for n in names}
    return sorted(
        (c for c in found if isinstance(c, type) and issubclass(c, HyperbudsSyncError)),
        key=lambda c: c.__name__,
    )


def build(cls: type[HyperbudsSyncError]) -> HyperbudsSyncError:
    """An instance with every constructor argument given, and an attribute set afterwards."""
    kwargs: dict[str, Any] = {}
    args: list[Any] = []
    if cls.__init__ is HyperbudsSyncError.__init__:  # the base's (conftest wraps it)
        return _with_attribute(cls(VALUES["message"]))
    for param in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if param.kind is param.VAR_KEYWORD:
            kwargs.update({k: v for k, v in FACTS.items() if k not in kwargs})
        elif param.kind is param.VAR_POSITIONAL:
            continue
        elif param.kind is param.KEYWORD_ONLY:
            kwargs[param.name] = VALUES[param.name]
        else:
            args.append(VALUES[param.name])
    return _with_attribute(cls(*args, **kwargs))


def _with_attribute(error: HyperbudsSyncError) -> HyperbudsSyncError:
    error.set_later = {"by": "the gateway"}  # type: ignore[attr-defined]
    return error


def _plain(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with ``attempts`` by repr: errors compare by identity, a copy by its facts."""
    return {k: repr(v) if k == "attempts" else v for k, v in state.items()}


def test_every_exported_error_is_covered() -> None:
    names = {c.__name__ for c in exported()}
    assert {"InvalidUsername", "UnknownPlatform", "UnknownFormula", "QuotaExceeded"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize("cls", exported(), ids=lambda c: c.__name__)
def test_an_error_survives_pickle(cls: type[HyperbudsSyncError]) -> None:
    error = build(cls)
    back = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(back) is cls
    assert str(back) == str(error)
    assert repr(back) == repr(error)
    assert back.args == error.args
    assert _plain(vars(back)) == _plain(vars(error))
    assert back.set_later == {"by": "the gateway"}  # type: ignore[attr-defined]
