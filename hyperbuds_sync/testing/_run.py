"""Running both emulators as a stand-alone service (``hyperbuds-sync emulate``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from contextlib import AsyncExitStack

from ._backend import TEST_TOKEN, BackendEmulator
from ._rapidapi import RapidAPIEmulator

__all__ = ["run_emulators", "serve"]


async def serve(
    host: str = "127.0.0.1",
    *,
    rapidapi_port: int | None = 8081,
    backend_port: int | None = 8082,
    quota: int | None = None,
    per_second: int | None = None,
    autogenerate: bool = False,
    valid_keys: Collection[str] | None = None,
    tokens: Collection[str] = (TEST_TOKEN,),
    fault_rate: float = 0.0,
    seed: int | None = None,
    ready: Callable[[str | None, str | None], None] | None = None,
) -> None:
    """Serve the RapidAPI and backend emulators until cancelled, then close every socket.

    A port of ``None`` leaves that emulator out; ``0`` binds a free port. ``ready`` is called with
    the two URLs (``None`` for one left out) once both listen. The other arguments are those of
    :class:`RapidAPIEmulator` (``quota`` to ``seed``) and :class:`BackendEmulator` (``tokens``).
    """
    async with AsyncExitStack() as stack:
        rapidapi_url = backend_url = None
        if rapidapi_port is not None:
            rapidapi = RapidAPIEmulator(
                host=host,
                port=rapidapi_port,
                quota=quota,
                per_second=per_second,
                autogenerate=autogenerate,
                valid_keys=valid_keys,
                fault_rate=fault_rate,
                seed=seed,
            )
            rapidapi_url = (await stack.enter_async_context(rapidapi)).url
        if backend_port is not None:
            backend = BackendEmulator(host=host, port=backend_port, tokens=tokens)
            backend_url = (await stack.enter_async_context(backend)).url
        if ready is not None:
            ready(rapidapi_url, backend_url)
        await asyncio.get_running_loop().create_future()  # until cancelled


def run_emulators(
    host: str = "127.0.0.1",
    rapidapi_port: int | None = 8081,
    backend_port: int | None = 8082,
    quota: int | None = None,
    *,
    per_second: int | None = None,
    autogenerate: bool = False,
    valid_keys: Collection[str] | None = None,
    tokens: Collection[str] = (TEST_TOKEN,),
    fault_rate: float = 0.0,
    seed: int | None = None,
    out: Callable[[str], object] = print,
) -> None:
    """Run both emulators in the foreground, print their URLs with ``out``, block until Ctrl-C.

    Arguments as for :func:`serve`.
    """

    def announce(rapidapi_url: str | None, backend_url: str | None) -> None:
        if rapidapi_url is not None:
            keys = "any non-empty key" if valid_keys is None else f"{len(valid_keys)} valid key(s)"
            out(f"RapidAPI emulator: {rapidapi_url}  (x-rapidapi-key: {keys})")
        if backend_url is not None:
            out(f"Backend emulator:  {backend_url}  (Authorization: Bearer <one of the tokens>)")
        out("Press Ctrl-C to stop.")

    try:
        asyncio.run(
            serve(
                host,
                rapidapi_port=rapidapi_port,
                backend_port=backend_port,
                quota=quota,
                per_second=per_second,
                autogenerate=autogenerate,
                valid_keys=valid_keys,
                tokens=tokens,
                fault_rate=fault_rate,
                seed=seed,
                ready=announce,
            )
        )
    except KeyboardInterrupt:
        out("Emulators stopped.")
