"""Who may see the status page: the service's caller keys, the way a browser can send them.

A request gets in with ``X-API-Key`` (as the API), HTTP Basic (any user name, the key as the
password), or the session cookie the sign-in form sets. The cookie holds the key's *name*, an
expiry and an HMAC-SHA256 over both keyed by the key itself: nothing is kept server-side, every
worker process checks it alike, and removing a key ends its sessions. Keys are compared in
constant time; a key never goes into a URL, the page, the cookie or a log line. No keys
configured: the page is open, as the API is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

from aiohttp import web

__all__ = ["COOKIE", "SESSION_SECONDS", "caller", "check_key", "session_cookie"]

COOKIE = "hyperbuds_status"
SESSION_SECONDS = 12 * 3600
"""How long a sign-in lasts."""
ANONYMOUS = ""
"""The caller's name when no keys are configured."""


def check_key(keys: Mapping[str, str], given: str) -> str | None:
    """The name of the key ``given`` is, compared in constant time with every key; ``None``."""
    found = None
    for name, key in keys.items():
        if hmac.compare_digest(key.encode(), given.encode()):
            found = name
    return found


def _mac(key: str, name: str, expires: int) -> str:
    message = f"hyperbuds-sync status session|{name}|{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def session_cookie(keys: Mapping[str, str], name: str, now: float | None = None) -> str:
    """A signed session value for the key named ``name``."""
    expires = int((time.time() if now is None else now) + SESSION_SECONDS)
    label = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    return f"{label}.{expires}.{_mac(keys[name], name, expires)}"


def _from_cookie(keys: Mapping[str, str], value: str, now: float) -> str | None:
    label, _, rest = value.partition(".")
    expires_text, _, mac = rest.partition(".")
    try:
        name = base64.urlsafe_b64decode(label + "=" * (-len(label) % 4)).decode()
        expires = int(expires_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    key = keys.get(name)
    if key is None or expires < now:
        return None
    return name if hmac.compare_digest(_mac(key, name, expires), mac) else None


def _from_basic(keys: Mapping[str, str], header: str) -> str | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    _, _, password = decoded.partition(":")
    return check_key(keys, password) if password else None


def caller(
    request: web.Request, keys: Mapping[str, str], clock: Callable[[], float] = time.time
) -> str | None:
    """The name of the key this request carries (``""`` when no keys are configured: open);
    ``None`` when it carries none that is valid."""
    if not keys:
        return ANONYMOUS
    given = request.headers.get("X-API-Key")
    if given:
        return check_key(keys, given)
    basic = request.headers.get("Authorization")
    if basic:
        return _from_basic(keys, basic)
    cookie = request.cookies.get(COOKIE)
    if cookie:
        return _from_cookie(keys, cookie, clock())
    return None
