"""The transport's wire helpers: the capped body read and the JSON decode, kept apart so the
request loop and the gateway stay about the calls."""

from __future__ import annotations

import json
from typing import Any, Final

import aiohttp
from attrs import define

__all__ = ["ERROR_BODY_CAP", "Reply", "decode", "plain_success", "read_capped"]

_CHUNK = 64 * 1024
ERROR_BODY_CAP: Final = 64 * 1024
"""Decoded bytes read of an answer that is not a 2xx: an error body is one short message."""
_AS_IS: Final = frozenset({"identity", ""})  # Content-Encoding values that are not encoded


@define
class Reply:
    """A provider's answer: its decoded JSON (``value``) and the bytes it came as (``body``),
    which a record keeps instead of the decoded objects."""

    value: Any
    body: bytes


async def read_capped(resp: aiohttp.ClientResponse, cap: int) -> bytes | None:
    """The decoded body, or ``None`` once it is known to exceed ``cap`` decoded bytes (the
    connection is then closed without reading the rest).

    ``Content-Length`` is trusted only for a body sent as is: a compressed one (aiohttp decodes
    gzip and deflate, br with brotli installed) is read chunk by chunk, counting decoded bytes,
    so a small answer that inflates to gigabytes stops just past the cap.
    """
    if resp.headers.get("Content-Encoding", "identity").lower() in _AS_IS:
        try:
            length = resp.content_length
        except ValueError:
            length = None
        if length is not None and length > cap:
            resp.close()
            return None
        if length is not None:
            return await resp.read()
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
    (its only 2xx errors come from those two fields), so such an answer skips it."""
    return (
        200 <= status < 300
        and isinstance(body, dict)
        and "message" not in body
        and "messages" not in body
    )
