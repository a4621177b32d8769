"""Running the emulators as a stand-alone service (``hyperbuds-sync emulate``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from contextlib import AsyncExitStack
from typing import Any

from attrs import asdict, frozen

from ._backend import TEST_TOKEN, BackendEmulator
from ._official import OfficialEmulator
from ._rapidapi import RapidAPIEmulator

__all__ = ["EmulatorOptions", "run_emulators", "serve"]

Ready = Callable[[str | None, str | None], None]


@frozen(kw_only=True)
class EmulatorOptions:
    """How to run the emulators: the one table of their options.

    A port of ``None`` leaves that emulator out; ``0`` binds a free port. ``quota`` to ``seed``
    are those of :class:`RapidAPIEmulator`; ``tokens`` that of :class:`BackendEmulator`.
    ``official_port`` runs the :class:`OfficialEmulator` (X, Helix, YouTube Data API) too; it
    is left out by default.
    """

    host: str = "127.0.0.1"
    rapidapi_port: int | None = 8081
    backend_port: int | None = 8082
    official_port: int | None = None
    quota: int | None = None
    per_second: int | None = None
    autogenerate: bool = False
    valid_keys: Collection[str] | None = None
    tokens: Collection[str] = (TEST_TOKEN,)
    fault_rate: float = 0.0
    seed: int | None = None

    def rapidapi(self) -> RapidAPIEmulator | None:
        """The RapidAPI emulator these options describe (``None``: left out)."""
        if self.rapidapi_port is None:
            return None
        return RapidAPIEmulator(
            host=self.host,
            port=self.rapidapi_port,
            quota=self.quota,
            per_second=self.per_second,
            autogenerate=self.autogenerate,
            valid_keys=self.valid_keys,
            fault_rate=self.fault_rate,
            seed=self.seed,
        )

    def official(self) -> OfficialEmulator | None:
        """The official-APIs emulator these options describe (``None``: left out)."""
        if self.official_port is None:
            return None
        return OfficialEmulator(host=self.host, port=self.official_port)

    def backend(self) -> BackendEmulator | None:
        """The backend emulator these options describe (``None``: left out)."""
        if self.backend_port is None:
            return None
        return BackendEmulator(host=self.host, port=self.backend_port, tokens=self.tokens)


async def serve(
    host: str = "127.0.0.1",
    *,
    ready: Ready | None = None,
    official_ready: Callable[[str], None] | None = None,
    **options: Any,
) -> None:
    """Serve the RapidAPI and backend emulators until cancelled, then close every socket.

    ``options`` are the fields of :class:`EmulatorOptions` (an unknown one is a ``TypeError``).
    ``ready`` is called with the two URLs (``None`` for one left out) once both listen;
    ``official_ready`` with the official-APIs emulator's URL, when ``official_port`` is set.
    """
    chosen = EmulatorOptions(host=host, **options)
    async with AsyncExitStack() as stack:
        official = chosen.official()
        if official is not None:
            url = (await stack.enter_async_context(official)).url
            if official_ready is not None:
                official_ready(url)
        urls: list[str | None] = []
        for emulator in (chosen.rapidapi(), chosen.backend()):
            if emulator is None:
                urls.append(None)
            else:
                urls.append((await stack.enter_async_context(emulator)).url)
        if ready is not None:
            ready(*urls)
        await asyncio.get_running_loop().create_future()  # until cancelled


def run_emulators(
    host: str = "127.0.0.1", *, out: Callable[[str], object] = print, **options: Any
) -> None:
    """Run the emulators in the foreground, print their URLs with ``out``, block until Ctrl-C.

    ``options`` as for :func:`serve`.
    """
    chosen = EmulatorOptions(host=host, **options)

    def announce(rapidapi_url: str | None, backend_url: str | None) -> None:
        if rapidapi_url is not None:
            valid = chosen.valid_keys
            keys = "any non-empty key" if valid is None else f"{len(valid)} valid key(s)"
            out(f"RapidAPI emulator: {rapidapi_url}  (x-rapidapi-key: {keys})")
        if backend_url is not None:
            out(f"Backend emulator:  {backend_url}  (Authorization: Bearer <one of the tokens>)")
        out("Press Ctrl-C to stop.")

    def announce_official(url: str) -> None:
        out(
            f"Official APIs emulator: {url}  (X v2, Twitch Helix + /oauth2/token, YouTube Data API)"
        )

    try:
        fields = asdict(chosen, recurse=False)
        asyncio.run(serve(**fields, ready=announce, official_ready=announce_official))
    except KeyboardInterrupt:
        out("Emulators stopped.")
