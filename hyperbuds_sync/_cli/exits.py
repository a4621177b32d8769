"""Exit codes of the ``hyperbuds-sync`` command and the one-line error text behind them.

This module needs no rich: :mod:`hyperbuds_sync.cli` uses it before it knows rich is installed.
"""

from __future__ import annotations

from .._logging import redact
from ..errors import (
    ApiConfigError,
    AuthenticationError,
    BackendConfigError,
    BackendError,
    ConfigError,
    HyperbudsSyncError,
    InvalidInput,
    ProviderAuthError,
    ProviderError,
    QuotaExceeded,
    UsernameNotFound,
)

__all__ = [
    "CONFIG",
    "INTERRUPTED",
    "NOT_FOUND",
    "OK",
    "QUOTA",
    "TABLE",
    "UNEXPECTED",
    "UPSTREAM",
    "USAGE",
    "UsageError",
    "describe",
    "exit_code",
]

OK = 0
UNEXPECTED = 1
USAGE = 2
NOT_FOUND = 3
QUOTA = 4
CONFIG = 5
UPSTREAM = 6
INTERRUPTED = 130

TABLE = """\
exit codes:
  0    ok
  1    unexpected error (rerun with --debug for the traceback)
  2    bad input or usage (InvalidInput, argument errors, rich not installed)
  3    not found (UsernameNotFound)
  4    quota spent (QuotaExceeded)
  5    auth or configuration (ApiConfigError, ConfigError, ProviderAuthError,
       AuthenticationError)
  6    upstream unavailable (ProviderUnavailable, RateLimited, BackendUnavailable,
       MalformedPayload, any other ProviderError or BackendError)
  130  interrupted (Ctrl-C)
"""
"""The table shown in ``--help`` and in :mod:`hyperbuds_sync.cli`'s docstring."""


class UsageError(Exception):
    """Arguments that parse but do not make sense together (exit code 2)."""


# Most specific first: QuotaExceeded and UsernameNotFound are ProviderErrors too.
_CODES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], int], ...] = (
    ((UsageError, InvalidInput), USAGE),
    (UsernameNotFound, NOT_FOUND),
    (QuotaExceeded, QUOTA),
    ((ConfigError, ProviderAuthError, AuthenticationError), CONFIG),
    ((ProviderError, BackendError), UPSTREAM),
)

# What to set, for errors whose own message may not say it.
_HINTS: tuple[tuple[type[BaseException], str, str], ...] = (
    (ApiConfigError, "RAPIDAPI_KEY", "set RAPIDAPI_KEY (or RAPIDAPI_KEYS)"),
    (BackendConfigError, "HYPERBUDS_TOKEN", "check HYPERBUDS_TOKEN and HYPERBUDS_API_URL"),
)


def exit_code(exc: BaseException) -> int:
    """The exit code for ``exc`` (see :data:`TABLE`)."""
    for kinds, code in _CODES:
        if isinstance(exc, kinds):
            return code
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    return UNEXPECTED


def describe(exc: BaseException) -> str:
    """``exc`` as one readable line without credentials (no ``error:`` prefix)."""
    if isinstance(exc, HyperbudsSyncError | UsageError):
        text = str(exc)
        for kind, word, hint in _HINTS:
            if isinstance(exc, kind) and word not in text:
                text = f"{text} ({hint})"
    else:
        text = f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
    return redact(" ".join(text.split()))
