"""The policy every outbound URL the SDK is given is held to: the backend's base URL and the
webhooks' URLs alike, one function.

* ``http`` or ``https`` with a host; nothing else (``file:``, ``ftp:``, no host).
* Plain ``http`` only to a loopback host (``localhost``, ``127.0.0.0/8``, ``::1``) unless the
  caller's flag allows it (``allow_insecure_http``, ``allow_insecure_webhooks``).
* Never a link-local address (``169.254.0.0/16``, ``fe80::/10``) or a cloud metadata address
  (``169.254.169.254``, ``fd00:ec2::254``, ``100.100.100.200``, ``metadata.google.internal``,
  ...), whatever the flag: a URL taken from settings must not reach the instance's credentials.
  Addresses are read as the resolver would read them (``0xA9FEA9FE`` and ``2852039166`` are
  169.254.169.254) and IPv4-mapped IPv6 addresses as their IPv4 address.

Here only the URL's own host is judged. What a name *resolves* to is judged at every connection
by the SDK's own session (``_resolver``'s :class:`GuardedResolver`); a session the caller passes
in resolves as they set it up.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Final

from yarl import URL

from ..errors import ConfigError

__all__ = ["check_url", "is_forbidden_host", "is_loopback_host"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA_IPS: Final = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
_METADATA_NAMES: Final = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data",
     "instance-data.ec2.internal", "metadata.azure.internal"}
)  # fmt: skip


def _address(host: str) -> Address | None:
    """``host`` as an IP address, as a resolver reads it (legacy IPv4 forms included), an
    IPv4-mapped IPv6 address as its IPv4 address; ``None`` for a name."""
    text = host.strip("[]")
    try:
        address: Address = ipaddress.ip_address(text)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(text))  # 0x7f.1, 2130706433, ...
        except (OSError, ValueError):
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback address."""
    if host.lower().rstrip(".") == "localhost":
        return True
    address = _address(host)
    return address is not None and address.is_loopback


def is_forbidden_host(host: str) -> bool:
    """Whether ``host`` is a link-local or cloud metadata address or name: never allowed."""
    if host.lower().rstrip(".") in _METADATA_NAMES:
        return True
    address = _address(host)
    return address is not None and (address.is_link_local or address in _METADATA_IPS)


def check_url(
    url: str,
    *,
    allow_insecure_http: bool,
    what: str,
    flag: str,
    error: type[ConfigError] = ConfigError,
) -> URL:
    """``url`` parsed, when it passes the policy above; else ``error`` saying why.

    Args:
        url: the URL as given.
        allow_insecure_http: plain ``http`` to a host that is not loopback is allowed.
        what: what the URL is, for messages (``"HyperBuds base URL"``, ``"webhook URL"``).
        flag: the argument that allows plain http, named in the message.
        error: the :class:`ConfigError` class raised.
    """
    try:
        parsed = URL(url)
    except (TypeError, ValueError) as exc:
        raise error(f"Invalid {what}: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise error(f"{what} needs an http(s) scheme and a host")
    host = parsed.host
    if is_forbidden_host(host):
        raise error(
            f"Refusing the {what} {host}: a link-local or cloud metadata address is never "
            f"allowed (not even with {flag}=True)"
        )
    if parsed.scheme == "http" and not allow_insecure_http and not is_loopback_host(host):
        raise error(f"Refusing plain http to {host}: use https or pass {flag}=True")
    return parsed
