"""The outbound policy applied to what a name resolves to: the SDK's own session never connects
to a link-local or cloud metadata address, whatever name led there (DNS rebinding)."""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
import pytest
from _hook_server import Serve, serve  # noqa: F401  (the fixture)
from aiohttp import web
from aiohttp.abc import AbstractResolver

from hyperbuds_sync.transport import (
    ForbiddenAddress,
    GuardedResolver,
    RequestLoop,
    SessionHolder,
    attempt_timeout,
)
from hyperbuds_sync.webhooks import deliver

SECRET = "whsec-resolver-0123456789"


class NamesResolver(AbstractResolver):
    """Answers from a table: a name's addresses, as a DNS server under someone's control would."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[Any]:
        self.asked.append(host)
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in self.table[host]
        ]

    async def close(self) -> None:
        pass


TABLE = {
    "rebind.test": ["169.254.169.254"],
    "mapped.test": ["::ffff:169.254.169.254"],
    "alibaba.test": ["100.100.100.200"],
    "linklocal6.test": ["fe80::1"],
    "mixed.test": ["169.254.169.254", "127.0.0.1"],
    "private.test": ["10.0.0.5"],
    "good.test": ["127.0.0.1"],
}


@pytest.mark.parametrize("name", ["rebind.test", "mapped.test", "alibaba.test", "linklocal6.test"])
async def test_a_name_resolving_only_to_forbidden_addresses_is_refused(name: str) -> None:
    guard = GuardedResolver(NamesResolver(TABLE))
    with pytest.raises(ForbiddenAddress, match=name):
        await guard.resolve(name, 443)


async def test_forbidden_addresses_are_dropped_and_the_others_kept() -> None:
    guard = GuardedResolver(NamesResolver(TABLE))
    assert [r["host"] for r in await guard.resolve("mixed.test", 443)] == ["127.0.0.1"]
    # https to a private address is the caller's choice; only link-local and metadata never are
    assert [r["host"] for r in await guard.resolve("private.test", 443)] == ["10.0.0.5"]


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        return web.json_response({"ok": True})


async def test_the_sdks_session_never_connects_where_a_name_rebinds(serve: Serve) -> None:
    receiver = Counting()
    port = (await serve(receiver)).split(":")[2].split("/")[0]
    names = NamesResolver(TABLE)
    holder = SessionHolder(resolver=names)
    loop = RequestLoop(holder)  # borrows the holder's session, as a client's parts do
    try:
        with pytest.raises(aiohttp.ClientConnectorError) as refused:
            await loop.send(
                "POST", f"http://rebind.test:{port}/hook", cap=1000, timeout=attempt_timeout(2)
            )
        assert isinstance(refused.value.__cause__, ForbiddenAddress)
        lost = await deliver(
            loop,
            f"http://rebind.test:{port}/hook",
            {"a": 1},
            SECRET,
            waits=(),
            allow_insecure_webhooks=True,
        )
        assert receiver.calls == 0
        delivered = await deliver(  # the same session and port, by a name that stays on loopback
            loop,
            f"http://good.test:{port}/hook",
            {"a": 1},
            SECRET,
            waits=(),
            allow_insecure_webhooks=True,
        )
    finally:
        await holder.aclose()
    assert (lost, delivered, receiver.calls) == (False, True, 1)
    assert names.asked.count("rebind.test") == 2  # asked, and refused, each time
