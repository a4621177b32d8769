"""The gateway's wire helpers: the request URL built once per host and path, the capped body
read, and the JSON decode, kept apart so :mod:`hyperbuds_sync._gateway` stays about the calls."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from attrs import define
from yarl import URL

__all__ = [
    "ERROR_BODY_CAP",
    "Base",
    "Reply",
    "decode",
    "encoded_base",
    "plain_success",
    "quote_value",
    "read_capped",
]

_CHUNK = 64 * 1024
ERROR_BODY_CAP: Final = 64 * 1024
"""Decoded bytes read of an answer that is not a 2xx: an error body is one short message."""
_AS_IS: Final = frozenset({"identity", ""})  # Content-Encoding values that are not encoded
_SAFE: Final = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch  # what quote(safe="") leaves alone

Base = tuple[str, str, str]  # (scheme, authority, path), encoded


@define
class Reply:
    """A provider's answer: its decoded JSON (``value``) and the bytes it came as (``body``),
    which a record keeps instead of the decoded objects. Handed once from the gateway to the
    walk and never kept, so a plain slotted class (no frozen setattr per field)."""

    value: Any
    body: bytes


def encoded_base(url: str) -> Base | None:
    """``url``'s scheme, authority and path as yarl encodes them, for :meth:`URL.build`;
    ``None`` when it already has a query or fragment (then ``params=`` extends it as before)."""
    parsed = URL(url)
    if parsed.raw_query_string or parsed.raw_fragment:
        return None
    return parsed.scheme, parsed.raw_authority, parsed.raw_path


def quote_value(text: str) -> str:
    """``quote(text, safe="")``, skipped for text it would leave as is (usernames are)."""
    return text if _SAFE(text) else quote(text, safe="")


def read_capped(resp: aiohttp.ClientResponse, cap: int) -> Awaitable[bytes | None]:
    """The decoded body, or ``None`` once it is known to exceed ``cap`` decoded bytes (the
    connection is then closed without reading the rest); await it at once.

    ``Content-Length`` is trusted only for a body sent as is: a compressed one (aiohttp decodes
    gzip and deflate, br with brotli installed) is read chunk by chunk, counting decoded bytes,
    so a small answer that inflates to gigabytes stops just past the cap. A body framed by
    ``Content-Length`` and known to fit (nearly every answer) is ``resp.read()`` itself: one
    read, and no coroutine of ours around it to pass each wait through.
    """
    if resp.headers.get("Content-Encoding", "identity").lower() in _AS_IS:
        try:
            length = resp.content_length
        except ValueError:
            length = None
        if length is not None and length > cap:
            resp.close()
            return _refused()
        if length is not None:
            return resp.read()
    return _read_counted(resp, cap)


async def _refused() -> None:
    """What :func:`read_capped` gives for a body over the cap."""
    return


async def _read_counted(resp: aiohttp.ClientResponse, cap: int) -> bytes | None:
    """The body read chunk by chunk, ``None`` (the connection closed) once past ``cap``."""
    buf = bytearray()
    async for chunk in resp.content.iter_chunked(_CHUNK):
        buf += chunk
        if len(buf) > cap:
            resp.close()
            return None
    return bytes(buf)


def decode(raw: bytes) -> tuple[object, bool]:
    """``(json, True)`` if the body parses, else ``(text, False)`` (to classify error bodies)."""
    try:
        return json.loads(raw), True
    except (ValueError, RecursionError):
        return raw.decode("utf-8", errors="replace"), False


def plain_success(status: int, body: object) -> bool:
    """A 2xx JSON object without ``message``/``messages``: :func:`classify` would say ``None``
    (its only 2xx errors come from those two fields), so the hot path skips it."""
    return (
        200 <= status < 300
        and type(body) is dict
        and "message" not in body
        and "messages" not in body
    )
