"""Shared fixtures: no backoff sleeps, and no credentials leaking in from the developer's shell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hyperbuds_sync import _retry

_ENV = (
    "RAPIDAPI_KEY",
    "RAPIDAPI_KEYS",
    "NEXT_PUBLIC_RAPIDAPI_KEY",
    "HYPERBUDS_API_URL",
    "HYPERBUDS_TOKEN",
    "HYPERBUDS_RAPIDAPI_ENDPOINT",
    "HYPERBUDS_REDIS_URL",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_sleeps() -> Iterator[None]:
    _retry.set_sleeps(False)
    yield
    _retry.set_sleeps(True)
