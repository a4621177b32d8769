"""The provider's answer a record keeps: the JSON bytes as they came, decoded on first use."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["RawAnswer"]


class RawAnswer(Mapping[str, Any]):
    """A read-only mapping over a provider's answer, kept as the bytes it came as.

    A fetched record keeps its answer for as long as the cache keeps the record. As bytes it
    costs a fraction of the decoded objects' memory, and nothing to the garbage collector,
    which otherwise walks every decoded dict of every cached answer. The mapping is decoded
    once, on first use: the answer itself when it is a JSON object, else ``{"value": answer}``;
    a two-step provider's two answers read as ``{"value": [first, second]}``.
    """

    __slots__ = ("_answer", "_bodies", "_mapping")

    def __init__(self, *bodies: bytes) -> None:
        if not bodies:
            raise ValueError("RawAnswer needs at least one answer body")
        self._bodies = bodies
        self._answer: Any = None  # decoded on first use (a JSON null is decoded again, harmless)
        self._mapping: dict[str, Any] | None = None

    @property
    def bodies(self) -> tuple[bytes, ...]:
        """The answers' bytes, in the order they came."""
        return self._bodies

    def answer(self) -> Any:
        """The decoded answer as the provider gave it: one answer, or the list of both."""
        if self._answer is None:
            bodies = self._bodies
            one = len(bodies) == 1
            self._answer = json.loads(bodies[0]) if one else [json.loads(b) for b in bodies]
        return self._answer

    def _decoded(self) -> dict[str, Any]:
        if self._mapping is None:
            answer = self.answer()
            self._mapping = answer if isinstance(answer, dict) else {"value": answer}
        return self._mapping

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return f"RawAnswer({self._decoded()!r})"
