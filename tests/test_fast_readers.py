"""The adapters' fast readers and the trusted record builders agree with the defensive paths.

Each built-in adapter reads the usual, well-formed answer with ``_read_fast`` and hands anything
else to ``_read`` (the defensive reader). Whenever the fast reader returns, its profile must be
the one ``_read`` gives, field for field and type for type; ``parse`` must give what ``_read``
gives (or raise the same error) for every input. ``engagement.normalize`` builds its record
without the attrs ``__init__`` and computes the default formula without an ``Engagement``; the
record must be the one the public constructors give.
"""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from _agree import assert_agree, typed
from _payloads import PAYLOADS, load_payload

from hyperbuds_sync import engagement
from hyperbuds_sync.models import PlatformData, _platform_data
from hyperbuds_sync.platforms import (
    InstagramAdapter,
    PostStats,
    Profile,
    TikTokAdapter,
    TwitchAdapter,
    TwitterAdapter,
)
from hyperbuds_sync.providers.base import _FAST_MISSES, _Adapter, _fast_count, _profile, to_count
from hyperbuds_sync.testing._creators import generate_creator
from hyperbuds_sync.testing._shapes import PROVIDERS, host_of

ADAPTERS: list[_Adapter] = [TikTokAdapter(), TwitterAdapter(), TwitchAdapter(), InstagramAdapter()]
SAMPLE_FILES = sorted(PAYLOADS.glob("*.json"))


def _emulator_answers(platform: str, count: int) -> list[Any]:
    provider = PROVIDERS[host_of(platform)]
    creators = (generate_creator(platform, f"fast{i:03d}") for i in range(count))
    return [json.loads(json.dumps(provider.render(c))) for c in creators]


# --- the shared payloads and the emulator's answers ----------------------------------------------


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_fast_agrees_on_the_shared_payloads(adapter: _Adapter, path: Any) -> None:
    assert_agree(adapter, load_payload(path.name))


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_fast_reads_the_emulator_answers(adapter: _Adapter) -> None:
    answers = _emulator_answers(adapter.name, 40)
    assert all(assert_agree(adapter, answer) for answer in answers)  # all fast, all equal


def test_fast_reads_the_usual_samples() -> None:
    usual = {
        "tiktok-user": TikTokAdapter(),
        "twitter-user": TwitterAdapter(),
        "twitch-user": TwitchAdapter(),
        "instagram-user": InstagramAdapter(),
    }
    for name, adapter in usual.items():
        assert assert_agree(adapter, load_payload(name), "mayacooks"), name


# --- variants: every leaf replaced, every key dropped ---------------------------------------------

ODD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    7,
    2**63 - 1,
    2**63,
    1.0,
    2.5,
    float("nan"),
    "",
    " ",
    "0",
    "12",
    "0012",
    " 12 ",
    "+12",
    "12.0",
    "-3",
    "1.2M",
    "9" * 18,
    "9" * 19,
    "9" * 25,
    "\u0661\u0662",  # Arabic-Indic digits (Nd): int() and the regex read them alike
    "1\u0662",
    "\uff11\uff12",  # fullwidth digits (Nd)
    "12\n",
    "\u00b2",  # superscript two: isdigit() but not a decimal
    "UserUnavailable",
    "true",
    "TRUE",
    "Maya_Cooks",
    "@maya",
    "a..b",
    [],
    {},
    [{}],
    {"count": 5},
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):  # posts repeat their shape
            yield from _paths(item, (*path, index))


def _variants(payload: Any) -> Iterator[Any]:
    """``payload`` with one place replaced by each odd value, and with that place removed."""
    for path in _paths(payload):
        if not path:
            continue
        for value in [*ODD_VALUES, _DROP]:
            variant = copy.deepcopy(payload)
            parent = variant
            for step in path[:-1]:
                parent = parent[step]
            if value is _DROP:
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)
            yield variant


_DROP = object()

USUAL = [
    (TikTokAdapter(), "tiktok-user"),
    (TwitterAdapter(), "twitter-user"),
    (TwitterAdapter(), "twitter-user-nolegacy"),
    (TwitchAdapter(), "twitch-user"),
    (InstagramAdapter(), "instagram-user"),
    (InstagramAdapter(), "instagram-v1info-user"),
]


@pytest.mark.parametrize(("adapter", "name"), USUAL, ids=[name for _, name in USUAL])
def test_fast_agrees_on_every_one_place_variant(adapter: _Adapter, name: str) -> None:
    payload = load_payload(name)
    fast = sum(assert_agree(adapter, variant) for variant in _variants(payload))
    if name not in ("twitter-user-nolegacy", "instagram-v1info-user"):
        assert fast > 0  # the fast reader keeps the answers whose odd places it reads alike


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_fast_count_reads_only_what_to_count_reads_alike(value: Any) -> None:
    try:
        fast = _fast_count(value)
    except _FAST_MISSES:
        return
    assert type(fast) is int
    assert fast == to_count(value, what="count", platform="p", host="h")


# --- trusted builders ----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [PostStats, Profile, PlatformData])
def test_records_built_directly_have_nothing_to_run(cls: type) -> None:
    """The trusted builders skip ``__init__``: that is only right while it only assigns."""
    assert all(a.validator is None and a.converter is None for a in attrs.fields(cls))
    assert not hasattr(cls, "__attrs_post_init__")
    assert not hasattr(cls, "__attrs_pre_init__")


def test_profile_builder_is_the_constructor() -> None:
    names = [a.name for a in attrs.fields(Profile)]
    assert list(inspect.signature(_profile).parameters) == names
    posts = (PostStats(1, 2, None), PostStats(3, 4, 5))
    values = ("tiktok", "maya", 10, "Maya", "img", "bio", True, 1, 2, 3, None, posts)
    built = _profile(*values)
    assert typed(built) == typed(Profile(*values))
    assert hash(built) == hash(Profile(*values))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.followers = 1  # type: ignore[misc]


def test_platform_data_builder_is_the_constructor() -> None:
    names = [a.name for a in attrs.fields(PlatformData)]
    assert [*inspect.signature(_platform_data).parameters, "stale"] == names
    raw = {"a": 1}
    when = datetime(2026, 1, 2, tzinfo=UTC)
    values = ("x", "y", "Y", "i", "b", False, 1, 2, 3, 4.0, 0.5, when, raw)
    built = _platform_data(*values)
    public = PlatformData(*values)
    assert typed(built) == typed(public)
    assert built.raw is raw
    assert built.stale is False
    assert repr(built) == repr(public)
    assert built.as_stale().stale is True


# --- normalize -----------------------------------------------------------------------------------


def _reference(profile: Profile, formula: Any, fetched_at: datetime, raw: object) -> PlatformData:
    """``normalize`` as it was written before the fast path: public constructors throughout."""
    if fetched_at.utcoffset() is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    fn = engagement.get(formula) if isinstance(formula, str) else formula
    result = fn(profile)
    return PlatformData(
        platform=profile.platform,
        username=profile.username,
        display_name=profile.display_name or profile.username,
        profile_image=profile.profile_image,
        bio=profile.bio,
        verified=profile.verified,
        followers=profile.followers,
        following=profile.following,
        total_content=profile.total_content,
        total_engagement=float(result.total),
        average_engagement=float(result.average),
        last_fetched=fetched_at,
        raw=raw if isinstance(raw, dict) else {"value": raw},
    )


def _profiles() -> Iterator[Profile]:
    for adapter in ADAPTERS:
        for answer in _emulator_answers(adapter.name, 10):
            yield adapter.parse("someone", answer)
    big = 2**60 + 1  # sums beyond a float's exact integers
    yield Profile("instagram", "a", 5, posts=(PostStats(big, big), PostStats(1, 0)))
    yield Profile("instagram", "a", 5)
    yield Profile("twitter", "a", 0, total_content=0, likes=None)
    yield Profile("twitch", "a", 0, views=None)
    yield Profile("youtube", "a", 1, views=70, total_content=3)
    yield Profile("tiktok", "a", 1, likes=0, views=9, total_content=2)


WHEN = [
    datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC),
    datetime(2026, 3, 4, 5, 6, 7),  # naive: taken as UTC
    datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=2))),
]


@pytest.mark.parametrize("formula", ["legacy", "rate", engagement.legacy, engagement.rate])
@pytest.mark.parametrize("fetched_at", WHEN, ids=["utc", "naive", "plus2"])
def test_normalize_matches_the_public_constructors(formula: Any, fetched_at: datetime) -> None:
    for profile in _profiles():
        for raw in ({"k": 1}, ["list"], None):
            got = engagement.normalize(profile, formula=formula, fetched_at=fetched_at, raw=raw)
            want = _reference(profile, formula, fetched_at, raw)
            assert typed(got) == typed(want)
            assert got.raw == want.raw
            assert got.last_fetched.utcoffset() is not None


def test_legacy_is_still_the_registered_default_and_replaceable() -> None:
    profile = Profile("tiktok", "a", 1, likes=10, total_content=5)
    assert engagement.legacy(profile) == engagement.Engagement(10.0, 2.0)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    engagement.register("legacy", lambda p: engagement.Engagement(1, 2), replace=True)
    try:
        data = engagement.normalize(profile, fetched_at=when, raw={})
        assert (data.total_engagement, data.average_engagement) == (1.0, 2.0)
    finally:
        engagement.register("legacy", engagement.legacy, replace=True)
    assert engagement.normalize(profile, fetched_at=when, raw={}).average_engagement == 2.0
