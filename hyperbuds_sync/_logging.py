"""Secret redaction for everything hyperbuds-sync logs.

The SDK logs through one logger, ``logging.getLogger("hyperbuds_sync")``. :func:`install` puts a
:class:`RedactingFilter` on it (once), so a record that reaches any handler has had its message
scrubbed of:

* ``x-rapidapi-key`` / ``authorization`` / ``api_key`` values, in ``name: value``,
  ``name=value`` and dict-repr (``'name': 'value'``) forms;
* ``Bearer <token>`` values;
* every string passed to :func:`register_secret` (the RapidAPI keys, the backend token).

A logger filter only sees records logged on that very logger, not on its children, so SDK modules
log on ``hyperbuds_sync`` itself (see :data:`logger`).
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["LOGGER_NAME", "RedactingFilter", "install", "logger", "redact", "register_secret"]

LOGGER_NAME = "hyperbuds_sync"
logger = logging.getLogger(LOGGER_NAME)
# The library convention: a program that configured no logging hears nothing from us (without
# it, logging's last resort prints our warnings on stderr). A configured root still gets them.
logger.addHandler(logging.NullHandler())

MASK = "***"
_MIN_SECRET_LEN = 6  # shorter strings would mask ordinary words; real keys are ~50 chars

_HEADER_VALUE = re.compile(
    r"""(?ix)
    (x-rapidapi-key|x-api-key|authorization|rapidapi[_-]key|api[_-]key)  # the name
    (['"]?\s*[:=]\s*['"]?)                                            # separator, quotes
    (?:bearer\s+|basic\s+|token\s+)?                                  # an auth scheme
    [^\s'",;}&\])]+                                                   # the value
    """
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")

_secrets: set[str] = set()
_secrets_pattern: re.Pattern[str] | None = None
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask ``value`` wherever it appears in a log record from now on.

    Empty values and values shorter than 6 characters are ignored (they would mask ordinary text).
    """
    global _secrets_pattern
    if not value or len(value) < _MIN_SECRET_LEN:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)  # longest first: no partial leftovers
        _secrets_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """``text`` with credential-looking values and registered secrets replaced by ``***``."""
    pattern = _secrets_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _HEADER_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs secrets from a record's message before any handler sees it.

    The record's ``msg % args`` is rendered, redacted, and stored back as ``msg`` with no
    ``args`` when redaction changed anything; otherwise the record is left as it was. Formatted
    exception text (``exc_text``) is redacted too. The filter never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keep it."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave the record to logging's own error path
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(target: logging.Logger | None = None) -> RedactingFilter:
    """Put a :class:`RedactingFilter` on ``target`` (the SDK logger by default), once.

    Returns the filter in place, new or existing.
    """
    target = target or logger
    with _lock:
        for existing in target.filters:
            if isinstance(existing, RedactingFilter):
                return existing
        new = RedactingFilter()
        target.addFilter(new)
        return new
