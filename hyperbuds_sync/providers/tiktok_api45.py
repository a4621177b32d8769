"""TikTok through ``tiktok-api45``, which relays the same TikTok web ``user/detail`` body as
tiktok-api23, wrapped in ``data``.

The body inside ``data`` has the same fields, the same rounded ``stats`` beside the exact
``statsV2`` and the same not-found answer (``statusCode`` 10221 or 10202 with an empty
``userInfo``), so this provider unwraps ``data`` and reads it with tiktok-api23's one reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from .base import Profile
from .tiktok_api23 import TikTokApi23Adapter

__all__ = ["TikTokApi45Adapter"]


@attrs.frozen(kw_only=True)
class TikTokApi45Adapter(TikTokApi23Adapter):
    """The ``tiktok`` platform through tiktok-api45: ``GET /api/v1/user/detail?unique_id=``.

    ``parse`` raises :class:`UsernameNotFound` for the wrapped 10221/10202 answer (or a
    ``userInfo`` without a ``user``); an answer without a ``data`` object is
    :class:`MalformedPayload`, as is anything tiktok-api23's reader finds malformed.
    """

    provider: ClassVar[str] = "tiktok-api45"
    auth: ClassVar[str] = "rapidapi"

    host: str = "tiktok-api45.p.rapidapi.com"
    path: str = "/api/v1/user/detail"

    _param = "unique_id"

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """The ``data`` object, read as tiktok-api23's answer."""
        data = payload.get("data")
        if not isinstance(data, Mapping):
            raise self._malformed("tiktok answer has no data object")
        return super()._read(username, data)
