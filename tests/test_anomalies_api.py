"""sync.anomalies, growth().anomalies, the CLI and the roster's hooks, over a real SQLite
history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hyperbuds_sync import SocialSync, webhooks
from hyperbuds_sync.anomalies import Anomaly
from hyperbuds_sync.cli import main
from hyperbuds_sync.history import Snapshot, open_store
from hyperbuds_sync.roster._hooks import ChangeHooks


def series(now: datetime) -> list[Snapshot]:
    """40 daily snapshots ending yesterday: +1%/day, then +40% in the last day, likes flat."""
    out, f = [], 50_000.0
    start = now - timedelta(days=40)
    for d in range(40):
        f *= 1.4 if d == 39 else 1.01 + 0.002 * (d % 3)
        out.append(
            Snapshot(
                platform="tiktok",
                username="mayacooks",
                provider="tiktok-api23",
                fetched_at=start + timedelta(days=d),
                followers=round(f),
                total_engagement=1e6 + 2e4 * d,
                total_content=d,
            )
        )
    return out


async def test_anomalies_and_growth_read_the_history(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "h.db"))
    await store.add(series(datetime.now(UTC)))
    async with SocialSync(rapidapi_key="k" * 40, history_store=store) as sync:
        found = await sync.anomalies("tiktok", "@MayaCooks", days=30)
        growth = await sync.growth("tiktok", "mayacooks")
        assert await sync.anomalies("tiktok", "mayacooks", days=0.5) == []
    await store.aclose()
    assert [a.kind for a in found] == ["spike"]
    assert found[0].explain.startswith("followers +40% in 1 day")
    assert growth.anomalies == tuple(found)


def test_the_cli_prints_them_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    path = tmp_path / "h.db"

    async def fill() -> None:
        store = open_store(str(path))
        await store.add(series(datetime.now(UTC)))
        await store.aclose()

    asyncio.run(fill())
    assert main(["anomalies", "tiktok", "mayacooks", "--history-url", str(path), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [a["kind"] for a in body["anomalies"]] == ["spike"]
    assert body["anomalies"][0]["start"].endswith("+00:00")


class _NoStore:
    async def keep_delivery(self, *args: object) -> None:  # a delivery never fails here
        raise AssertionError("no delivery should fail")


async def test_on_anomaly_fires_once_and_the_event_is_signed() -> None:
    from aiohttp import web

    got: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        webhooks.verify(body, dict(request.headers), "whsec")
        got.append(json.loads(body))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    seen: list[tuple[str, str, Anomaly]] = []
    hooks = ChangeHooks(
        _NoStore(),  # type: ignore[arg-type]
        webhook_url=f"http://127.0.0.1:{port}/hook",
        webhook_secret="whsec",
        on_anomaly=lambda c, p, a: seen.append((c, p, a)),
    )
    history: Sequence[Snapshot] = series(datetime.now(UTC))
    try:
        assert await hooks.after_fetch("c1", "tiktok", "mayacooks", history[:-1]) == []
        found = await hooks.after_fetch("c1", "tiktok", "mayacooks", history)
        await hooks.aclose()
    finally:
        await runner.cleanup()
    assert [(c, p, a.kind) for c, p, a in seen] == [("c1", "tiktok", "spike")]
    assert found == [seen[0][2]]
    assert len(got) == 1
    event = got[0]
    assert event["type"] == "anomaly.detected"
    assert event["creator_id"] == "c1"
    assert event["anomaly"]["kind"] == "spike"
    assert event["anomaly"]["explain"] == found[0].explain


async def test_a_roster_refresh_that_reveals_a_spike_calls_on_anomaly_once(
    tmp_path: Path,
) -> None:
    from hyperbuds_sync import Roster
    from hyperbuds_sync.testing import TEST_KEY, BackendEmulator, Creator, RapidAPIEmulator

    now = datetime.now(UTC)
    past = series(now - timedelta(days=1))[:-1]  # 39 days of +1%, up to two days ago
    seen: list[tuple[str, str, Anomaly]] = []
    async with RapidAPIEmulator() as rapidapi, BackendEmulator(tokens=("tok-1",)) as backend:
        last = past[-1]
        rapidapi.add_creator(
            "tiktok",
            Creator(
                "mayacooks",
                followers=round(last.followers * 1.4),
                likes=int((last.total_engagement or 0) + 2e4),
                posts=40,
            ),
        )
        sync = SocialSync(
            rapidapi_key=TEST_KEY,
            rapidapi_endpoint=rapidapi.url,
            api_url=backend.url,
            redis_url="",
            history_url=str(tmp_path / "h.db"),
        )
        async with (
            sync,
            Roster(sync, token_for=lambda _: "tok-1", on_anomaly=_keep(seen)) as roster,
        ):
            await sync.history_store.add(past)
            await roster.add("user-1", {"tiktok": "mayacooks"})
            await roster.refresh("user-1", "tiktok")
            await roster.refresh("user-1", "tiktok")  # the same answer again: nothing new
    assert [(c, p, a.kind) for c, p, a in seen] == [("user-1", "tiktok", "spike")]
    assert seen[0][2].after == round(last.followers * 1.4)


def _keep(seen: list[tuple[str, str, Anomaly]]) -> Any:
    async def on_anomaly(creator_id: str, platform: str, anomaly: Anomaly) -> None:
        seen.append((creator_id, platform, anomaly))

    return on_anomaly


async def test_without_a_history_or_with_bad_days_the_error_says_so(tmp_path: Path) -> None:
    from hyperbuds_sync import ConfigError, InvalidInput

    async with SocialSync(rapidapi_key="k" * 40, history_url="") as sync:
        with pytest.raises(ConfigError, match="no history is configured"):
            await sync.anomalies("tiktok", "mayacooks")
    store = open_store(str(tmp_path / "h.db"))
    async with SocialSync(rapidapi_key="k" * 40, history_store=store) as sync:
        with pytest.raises(InvalidInput, match="days must be a number > 0"):
            await sync.anomalies("tiktok", "mayacooks", days=0)
    await store.aclose()


def test_the_cli_prints_one_line_per_anomaly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    path = tmp_path / "h.db"

    async def fill() -> None:
        store = open_store(str(path))
        await store.add(series(datetime.now(UTC)))
        await store.aclose()

    asyncio.run(fill())
    assert main(["anomalies", "tiktok", "mayacooks", "--history-url", str(path)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    kind, start, end, change, score, explain = line.split("\t")
    assert (kind, change) == ("spike", "+40.00%")
    assert datetime.fromisoformat(start) < datetime.fromisoformat(end)
    assert float(score) >= 10
    assert explain.startswith("followers +40% in 1 day")
    assert main(["anomalies", "tiktok", "nobody", "--history-url", str(path), "--days", "7"]) == 0
    assert capsys.readouterr().out == "no anomalies for tiktok @nobody in 7 days\n"
