"""``GET /api/v1/social/anomalies`` on a real loopback socket, over a history with a spike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from _app_fixtures import running

from hyperbuds_sync.history import Snapshot

ROUTE = "/api/v1/social/anomalies"


def bought(now: datetime) -> list[Snapshot]:
    """40 daily snapshots up to yesterday: +1%/day, then +40% in the last day, likes flat."""
    out, followers = [], 50_000.0
    for day in range(40):
        followers *= 1.4 if day == 39 else 1.01 + 0.002 * (day % 3)
        out.append(
            Snapshot(
                platform="tiktok",
                username="mayacooks",
                provider="tiktok-api23",
                fetched_at=now - timedelta(days=40 - day),
                followers=round(followers),
                total_engagement=1e6 + 2e4 * day,
                total_content=day,
            )
        )
    return out


async def test_anomalies_answers_the_spike_and_refuses_bad_queries() -> None:
    async with running() as svc:
        await svc.sync.history_store.add(bought(datetime.now(UTC)))
        query = "platform=tiktok&username=mayacooks"
        status, _, body = await svc.call("GET", f"{ROUTE}?{query}&days=30")
        _, _, older = await svc.call("GET", f"{ROUTE}?{query}")
        bad_days = await svc.call("GET", f"{ROUTE}?{query}&days=zero")
        no_name = await svc.call("GET", f"{ROUTE}?platform=tiktok")
        _, _, growth = await svc.call("GET", f"/api/v1/social/growth?{query}&days=7,30")
    assert status == 200
    data = body["data"]
    assert (data["platform"], data["username"], data["days"]) == ("tiktok", "mayacooks", 30)
    (spike,) = data["anomalies"]
    assert spike["kind"] == "spike"
    assert spike["explain"].startswith("followers +40% in 1 day")
    assert spike["after"] > spike["before"]
    datetime.fromisoformat(spike["start"])
    assert older["data"]["days"] == 90
    assert older["data"]["anomalies"] == [spike]
    assert growth["data"]["anomalies"] == [spike]
    assert bad_days[0] == 400
    assert no_name[0] == 400


async def test_the_openapi_document_describes_the_route() -> None:
    async with running() as svc:
        _, _, document = await svc.call("GET", "/openapi.json")
    operation = document["paths"][ROUTE]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["platform", "username", "days"]
    assert document["components"]["schemas"]["Anomaly"]["properties"]["kind"]["enum"] == [
        "spike",
        "drop",
        "divergence",
    ]
