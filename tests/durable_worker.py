"""A process the durability tests and bench kill: ``python tests/durable_worker.py MODE ...``.

- ``fetch ENDPOINT URL N PREFIX``: fetch Twitch creators ``PREFIX0`` .. ``PREFIX{N-1}`` with
  ``refresh=True`` (a fresh snapshot each), 16 at a time, print each name as its fetch returns,
  then ``done``, then wait to be killed (``kill -9``).
- ``open``: the same, then close the client and exit (four of them open one new SQLite file).
- ``roster ENDPOINT URL BUDGET``: a roster of 30 Twitch creators, BUDGET calls a day, no Redis
  (its ledger is the history database's); prints ``asked True|False`` after its first ledger
  answer and ``refreshed`` after each refresh, and runs until killed.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Collection, Iterable

from hyperbuds_sync import SocialSync
from hyperbuds_sync.roster import Budget, RefreshOutcome, Roster

KEY = "durable-worker-key-0123456789abcdef"
IN_FLIGHT = 16


def client(endpoint: str, url: str) -> SocialSync:
    return SocialSync(rapidapi_key=KEY, rapidapi_endpoint=endpoint, redis_url="", history_url=url)


async def fetch(endpoint: str, url: str, count: int, prefix: str, *, stay: bool) -> None:
    sync = client(endpoint, url)
    names = [f"{prefix}{i}" for i in range(count)]

    async def worker() -> None:
        while names:
            name = names.pop()
            await sync.fetch("twitch", name, refresh=True)
            print(name, flush=True)  # returned: its snapshot must survive a kill from now on

    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    print("done", flush=True)
    if stay:
        await asyncio.Event().wait()  # until kill -9: no close, no flush, nothing after
    await sync.aclose()


async def roster(endpoint: str, url: str, budget: int) -> None:
    async with client(endpoint, url) as sync:
        found = Roster(  # no tokens: fetched and recorded, not synced (there is no backend)
            sync, budgets={"twitch-scraper2": Budget(budget, "daily")}, token_for=lambda _: None
        )
        for i in range(30):
            await found.add(f"creator{i}", {"twitch": f"rostered{i}"})
        reserve, refresh = found.spending.reserve, found.refresh_spending

        async def reserve_told(
            providers: Iterable[str], benched: Collection[str] = ()
        ) -> str | None:
            granted = await reserve(providers, benched)
            print(f"asked {granted is not None}", flush=True)
            return granted

        async def refresh_told(creator_id: str, platform: str, provider: str) -> RefreshOutcome:
            outcome = await refresh(creator_id, platform, provider)
            print("refreshed", flush=True)
            return outcome

        found.spending.reserve = reserve_told  # type: ignore[method-assign]
        found.refresh_spending = refresh_told  # type: ignore[method-assign]
        await found.run()


def main(argv: list[str]) -> None:
    mode, endpoint, url = argv[:3]
    if mode == "roster":
        asyncio.run(roster(endpoint, url, int(argv[3])))
    else:
        asyncio.run(fetch(endpoint, url, int(argv[3]), argv[4], stay=mode == "fetch"))


if __name__ == "__main__":
    main(sys.argv[1:])
