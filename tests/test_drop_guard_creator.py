"""The sudden-drop guard judges one creator against itself: keyed on the account, the creator id
given (sync_many, the roster, ``for_creator``) or the backend profile its token's answers named;
never on the platform alone. With no creator known there is nothing to compare."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from hyperbuds_sync import ManualEntry, Roster, SocialSync, SuspiciousDrop
from hyperbuds_sync.backend import acting_for, for_creator
from hyperbuds_sync.history import open_store
from hyperbuds_sync.roster import RefreshOutcome
from hyperbuds_sync.testing import TEST_KEY, BackendEmulator, Creator, RapidAPIEmulator

TOKENS = ("tok-a", "tok-b")


@pytest_asyncio.fixture
async def emulators() -> AsyncIterator[tuple[RapidAPIEmulator, BackendEmulator]]:
    async with (
        RapidAPIEmulator(autogenerate=True) as rapidapi,
        BackendEmulator(tokens=TOKENS) as backend,
    ):
        yield rapidapi, backend


def client(emulators: tuple[RapidAPIEmulator, BackendEmulator], path: Path) -> SocialSync:
    rapidapi, backend = emulators
    return SocialSync(
        rapidapi_key=TEST_KEY,
        token=TOKENS[0],
        rapidapi_endpoint=rapidapi.url,
        api_url=backend.url,
        redis_url="",
        history_url=str(path / "guard.db"),
    )


async def _many(sync: SocialSync, items: list[tuple[str, str, object]]) -> list[RefreshOutcome]:
    seen: list[RefreshOutcome] = []
    await sync.sync_many(items, concurrency=1, on_progress=seen.append)  # type: ignore[arg-type]
    return seen


async def test_in_sync_many_one_creator_never_refuses_another(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    async with client(emulators, tmp_path) as sync:
        first = await _many(
            sync,
            [
                ("creator-a", "instagram", ManualEntry(followers=93_518)),
                ("creator-b", "instagram", ManualEntry(followers=100)),  # another creator
            ],
        )
        assert [o.status for o in first] == ["synced", "synced"]
        again = await _many(sync, [("creator-a", "instagram", ManualEntry(followers=100))])
    (drop,) = again  # the same creator falling 99.9% is still refused
    assert drop.status == "failed"
    assert isinstance(drop.error, SuspiciousDrop)
    assert drop.error.previous == 93_518


async def test_fetched_creators_in_sync_many_are_judged_by_their_own_account(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    rapidapi, _ = emulators
    rapidapi.add_creator("tiktok", Creator("bigone", followers=93_518))
    rapidapi.add_creator("tiktok", Creator("smallone", followers=100))
    async with client(emulators, tmp_path) as sync:
        seen = await _many(sync, [("a", "tiktok", "bigone"), ("b", "tiktok", "smallone")])
    assert [o.status for o in seen] == ["synced", "synced"]


async def test_a_manual_entry_with_no_creator_known_is_compared_with_no_one(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    async with client(emulators, tmp_path) as sync:
        with for_creator("someone-else"):
            await sync.sync("instagram", ManualEntry(followers=93_518))
    async with client(emulators, tmp_path) as sync:  # a new process: no profile learned yet
        result = await sync.sync("instagram", ManualEntry(followers=100))
    assert result.success


async def test_a_manual_entry_is_keyed_on_the_profile_its_tokens_answers_named(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    async with client(emulators, tmp_path) as sync:
        await sync.sync("instagram", ManualEntry(followers=93_518))  # the answer names tok-a's
        with acting_for(TOKENS[1]):  # another user's profile: nothing of theirs to compare
            assert (await sync.sync("instagram", ManualEntry(followers=100))).success
        with pytest.raises(SuspiciousDrop):  # tok-a's own profile again
            await sync.sync("instagram", ManualEntry(followers=100))
        with acting_for(TOKENS[1]), pytest.raises(SuspiciousDrop, match="fell"):
            await sync.sync("instagram", ManualEntry(followers=1))  # tok-b's own: 100 -> 1
        store = sync.history_store
        last = await store.last_sync("instagram", good=True)
        assert last is not None
        assert last.creator is not None
        assert last.creator.startswith("backend:")


async def test_a_roster_refresh_is_recorded_and_judged_under_its_creator_id(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    rapidapi, _ = emulators
    rapidapi.add_creator("tiktok", Creator("bigone", followers=93_518))
    rapidapi.add_creator("tiktok", Creator("smallone", followers=100))
    async with client(emulators, tmp_path) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": 10_000})
        await roster.add("creator-a", {"tiktok": "bigone"})
        await roster.add("creator-b", {"tiktok": "smallone"})
        outcomes = [await roster.refresh(c, "tiktok") for c in ("creator-a", "creator-b")]
        await roster.aclose()
    assert [o.status for o in outcomes] == ["synced", "synced"]
    store = open_store(str(tmp_path / "guard.db"))
    try:
        a = await store.last_sync("tiktok", creator="creator-a")
        b = await store.last_sync("tiktok", creator="creator-b")
    finally:
        await store.aclose()
    assert a is not None
    assert b is not None
    assert (a.followers, a.username, b.followers, b.username) == (
        93_518,
        "bigone",
        100,
        "smallone",
    )
