"""The key state shared by every process through Redis.

:class:`RedisKeyState` satisfies :class:`~hyperbuds_sync.quota.KeyState`. It falls back to its
in-memory twin while the shared :class:`~hyperbuds_sync._redis.RedisLink` is down, and never
fails a call because of Redis.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final

from redis.commands.core import AsyncScript
from redis.typing import EncodableT

from .._redis import RedisLink, ServerClock
from ._benches import AUTH, Bench, BenchKind, MemoryProviderBenches
from ._keystate import KeyRecord, MemoryKeyState

__all__ = ["RedisKeyState", "RedisProviderBenches"]

_STATE_TTL_MS: Final = 40 * 86_400 * 1000  # a host nobody called for 40 days drops out
_FIELDS: Final = ("limit", "remaining", "reset", "calls")

# Bench a key until ARGV[2] (epoch s, on this server's clock) unless benched later already; the
# set expires with its last bench; benches over by the server's TIME are pruned.
# KEYS: the host's bench set. ARGV: fingerprint, until.
_BENCH: Final = """
local old = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
local untl = math.max(old, tonumber(ARGV[2]))
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], string.format('%.6f', untl), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d.%06d', t[1], t[2]))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(last[2]) * 1000)) end
return 1
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _int(value: bytes | None) -> int | None:
    return None if value is None else int(float(value))


def _float(value: bytes | None) -> float | None:
    return None if value is None else float(value)


class RedisKeyState:
    """The key pool's key state in Redis: benches, call counters and the last quota headers.

    Per host, a sorted set ``{ns}:bench:{host}`` maps fingerprints to benched-until epochs and
    expires with its latest bench (the reset time); a hash ``{ns}:ledger:{host}`` (its name from
    before the glossary, kept so a fleet that upgrades keeps its state) holds ``{fp}|limit``,
    ``{fp}|remaining``, ``{fp}|reset`` and ``{fp}|calls``; ``{ns}:hosts`` lists the hosts for
    :meth:`known`. Every write is mirrored into a :class:`MemoryKeyState`, and benches read
    from Redis are copied there too, so a process that loses Redis still knows
    which keys the fleet had benched.

    Args:
        link: the shared Redis link.
        namespace: the prefix of every Redis key.

    Its epochs (benches, resets) are on the Redis server's clock (:meth:`fleet_now`), so
    processes whose wall clocks disagree still agree on when a bench ends.
    """

    def __init__(self, link: RedisLink, *, namespace: str = "hyperbuds_sync") -> None:
        self._link = link
        self._ns = namespace
        self._server = ServerClock(link)
        self.memory = MemoryKeyState()
        self._bench: AsyncScript = link.client.register_script(_BENCH)

    @property
    def link(self) -> RedisLink:
        """The Redis connection and its degrade-to-memory switch."""
        return self._link

    def __repr__(self) -> str:
        return f"RedisKeyState({self._link.display_url!r})"

    async def fleet_now(self) -> float | None:
        """See :class:`~hyperbuds_sync.quota.FleetClock`: the Redis server's time (``None``
        while Redis is down: the pool then uses its own clock)."""
        return await self._server.now()

    def _bench_key(self, host: str) -> str:
        return f"{self._ns}:bench:{host}"

    def _state_key(self, host: str) -> str:
        return f"{self._ns}:ledger:{host}"

    async def benched(self, host: str) -> dict[str, float]:
        """See :meth:`KeyState.benched`."""
        return await self._link.call(
            partial(self._read_benched, host), partial(self.memory.benched, host)
        )

    async def _read_benched(self, host: str) -> dict[str, float]:
        pairs: list[Any] = await self._link.client.zrange(
            self._bench_key(host), 0, -1, withscores=True
        )
        found = {_text(fp): float(until) for fp, until in pairs}
        for fp, until in found.items():
            await self.memory.bench(host, fp, until)
        return found

    async def bench(self, host: str, fp: str, until_epoch: float) -> None:
        """See :meth:`KeyState.bench`."""
        await self.memory.bench(host, fp, until_epoch)
        args = [fp, repr(float(until_epoch))]
        await self._link.call(partial(self._bench, keys=[self._bench_key(host)], args=args), _none)

    async def record(
        self,
        host: str,
        fp: str,
        limit: int | None,
        remaining: int | None,
        reset_epoch: float | None,
    ) -> None:
        """See :meth:`KeyState.record`."""
        await self.memory.record(host, fp, limit, remaining, reset_epoch)
        given = {"limit": limit, "remaining": remaining, "reset": reset_epoch}
        fields: dict[EncodableT, EncodableT] = {
            f"{fp}|{name}": repr(v) for name, v in given.items() if v is not None
        }
        if fields:
            await self._link.call(partial(self._write, host, fields), _none)

    async def _write(self, host: str, fields: Mapping[EncodableT, EncodableT]) -> None:
        state = self._state_key(host)
        async with self._link.client.pipeline(transaction=True) as pipe:
            pipe.hset(state, mapping=dict(fields))
            pipe.pexpire(state, _STATE_TTL_MS)
            pipe.sadd(f"{self._ns}:hosts", host)
            await pipe.execute()

    async def incr_calls(self, host: str, fp: str) -> int:
        """See :meth:`KeyState.incr_calls`."""
        local = await self.memory.incr_calls(host, fp)

        async def shared() -> int:
            state = self._state_key(host)
            async with self._link.client.pipeline(transaction=True) as pipe:
                pipe.hincrby(state, f"{fp}|calls", 1)
                pipe.pexpire(state, _STATE_TTL_MS)
                pipe.sadd(f"{self._ns}:hosts", host)
                count, *_ = await pipe.execute()
            return int(count)

        async def mine() -> int:
            return local

        return await self._link.call(shared, mine)

    async def known(self, host: str | None = None) -> dict[str, dict[str, KeyRecord]]:
        """See :meth:`KeyState.known`: the fleet's key state while Redis is up."""
        return await self._link.call(
            partial(self._read_known, host), partial(self.memory.known, host)
        )

    async def _read_known(self, host: str | None) -> dict[str, dict[str, KeyRecord]]:
        client = self._link.client
        if host is not None:
            hosts = [host]
        else:
            members: set[Any] = await client.smembers(f"{self._ns}:hosts")
            hosts = sorted(_text(h) for h in members)
        async with client.pipeline(transaction=False) as pipe:
            for h in hosts:
                pipe.hgetall(self._state_key(h))
                pipe.zrange(self._bench_key(h), 0, -1, withscores=True)
            replies = await pipe.execute()
        return {h: _records(replies[2 * i], replies[2 * i + 1]) for i, h in enumerate(hosts)}


def _records(state: Mapping[bytes, bytes], benches: list[Any]) -> dict[str, KeyRecord]:
    """Key state hash fields and bench pairs as ``{fingerprint: KeyRecord}``."""
    facts: dict[str, dict[str, bytes]] = {}
    for name, value in state.items():
        fp, _, what = name.decode().rpartition("|")
        if what in _FIELDS:
            facts.setdefault(fp, {})[what] = value
    until = {_text(fp): float(score) for fp, score in benches}
    out: dict[str, KeyRecord] = {}
    for fp in sorted(facts.keys() | until.keys()):
        got = facts.get(fp, {})
        out[fp] = KeyRecord(
            limit=_int(got.get("limit")),
            remaining=_int(got.get("remaining")),
            reset_epoch=_float(got.get("reset")),
            benched_until=until.get(fp),
            calls=_int(got.get("calls")) or 0,
        )
    return out


async def _none() -> None:
    return None


# Read the provider benches on Redis's clock: drop those over (and their why), return the rest as
# flat triples (provider, until, "kind|reason"). KEYS: the bench set, the why hash.
_PROVIDER_BENCHED: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, name in ipairs(gone) do redis.call('HDEL', KEYS[2], name) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local pairs = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local out = {}
for i = 1, #pairs, 2 do
  out[#out + 1] = pairs[i]
  out[#out + 1] = pairs[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], pairs[i]) or ''
end
return out
"""
# Bench a provider until ARGV[2] with why ARGV[3] unless benched later already; both keys expire
# with the last bench. KEYS: the bench set, the why hash.
_PROVIDER_BENCH: Final = """
local old = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
local untl = tonumber(ARGV[2])
if untl > old then
  redis.call('ZADD', KEYS[1], string.format('%.6f', untl), ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local at = math.ceil(tonumber(last[2]) * 1000)
redis.call('PEXPIREAT', KEYS[1], at)
redis.call('PEXPIREAT', KEYS[2], at)
return 1
"""
_WHY_CAP: Final = 500  # characters of an auth bench's reason kept in Redis


class RedisProviderBenches:
    """:class:`~hyperbuds_sync.quota.ProviderBenches` in one Redis sorted set
    ``{ns}:provider-bench`` (provider -> until) and a hash ``{ns}:provider-bench-why``
    (provider -> kind and reason), read on Redis server time; mirrored in memory and served
    from there while Redis is down."""

    def __init__(self, link: RedisLink, *, namespace: str = "hyperbuds_sync") -> None:
        self._link = link
        self._keys = [f"{namespace}:provider-bench", f"{namespace}:provider-bench-why"]
        self.memory = MemoryProviderBenches()
        self._read: AsyncScript = link.client.register_script(_PROVIDER_BENCHED)
        self._write: AsyncScript = link.client.register_script(_PROVIDER_BENCH)

    def __repr__(self) -> str:
        return f"RedisProviderBenches({self._link.display_url!r})"

    async def bench(
        self, provider: str, until_epoch: float, *, kind: BenchKind = "quota", reason: str = ""
    ) -> None:
        """See :meth:`ProviderBenches.bench`."""
        await self.memory.bench(provider, until_epoch, kind=kind, reason=reason)
        args = [provider, repr(float(until_epoch)), f"{kind}|{reason[:_WHY_CAP]}"]
        await self._link.call(partial(self._write, keys=self._keys, args=args), _none)

    async def benched(self) -> dict[str, Bench]:
        """See :meth:`ProviderBenches.benched`."""
        return await self._link.call(self._read_benched, self.memory.benched)

    async def _read_benched(self) -> dict[str, Bench]:
        flat: list[Any] = await self._read(keys=self._keys, args=[])
        found: dict[str, Bench] = {}
        for i in range(0, len(flat) - 2, 3):
            name, until = _text(flat[i]), float(flat[i + 1])
            kind, _, reason = _text(flat[i + 2]).partition("|")
            bench_kind: BenchKind = "auth" if kind == AUTH else "quota"  # older entries: quota
            found[name] = Bench(until, bench_kind, reason)
            await self.memory.bench(name, until, kind=bench_kind, reason=reason)
        return found
