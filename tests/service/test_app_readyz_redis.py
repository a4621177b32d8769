"""``/readyz`` over a real Redis: ready while it answers, 503 once it is gone."""

from __future__ import annotations

from _app_fixtures import running
from redis_server import RedisServer


async def test_readyz_follows_redis(redis_server: RedisServer, redis_url: str) -> None:
    async with running(redis_url=redis_url) as svc:
        up = await svc.call("GET", "/readyz")
        redis_server.stop()
        try:
            down = await svc.call("GET", "/readyz")
        finally:
            redis_server.start()  # the server is the session's: the next module needs it
    assert up[0] == 200
    assert up[2] == {"status": "ready", "checks": {"redis": True, "history": True}}
    assert down[0] == 503
    assert down[2]["checks"]["redis"] is False
