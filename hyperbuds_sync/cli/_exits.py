"""Exit codes of the ``hyperbuds-sync`` command and the one-line error text behind them.

This module needs no rich: :mod:`hyperbuds_sync.cli` uses it before it knows rich is installed.
"""

from __future__ import annotations

import json
import sys
import textwrap
from datetime import datetime
from typing import Any

from attrs import frozen

from .._logging import redact
from ..errors import (
    ApiConfigError,
    AuthenticationError,
    BackendConfigError,
    BackendError,
    BackendUnavailable,
    ConfigError,
    HyperbudsSyncError,
    InvalidInput,
    MalformedPayload,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    SuspiciousDrop,
    UsernameNotFound,
)

__all__ = [
    "CODES",
    "CONFIG",
    "INTERRUPTED",
    "NOT_FOUND",
    "OK",
    "QUOTA",
    "REFUSED",
    "TABLE",
    "UNEXPECTED",
    "UPSTREAM",
    "USAGE",
    "ExitCode",
    "UsageError",
    "describe",
    "error_json",
    "exit_code",
    "report",
]


class UsageError(Exception):
    """Arguments that parse but do not make sense together (exit code 2)."""


@frozen
class ExitCode:
    """One exit code: what it means, the errors that give it, and what else does."""

    code: int
    meaning: str
    raised_by: tuple[type[BaseException], ...] = ()
    also: str = ""

    def line(self) -> str:
        """The row of ``--help``: the code, its meaning and what gives it."""
        causes = [kind.__name__ for kind in self.raised_by if kind is not UsageError]
        if self.also:
            causes.append(self.also)
        reason = f" ({', '.join(causes)})" if causes else ""
        return f"{self.code:<4} {self.meaning}{reason}"


# The one table. In code order, which is also most specific first: QuotaExceeded and
# UsernameNotFound are ProviderErrors too, so they are matched before code 6.
CODES: tuple[ExitCode, ...] = (
    ExitCode(0, "ok"),
    ExitCode(1, "unexpected error", also="rerun with --debug for the traceback"),
    ExitCode(
        2, "bad input or usage", (UsageError, InvalidInput), "argument errors, demo without rich"
    ),
    ExitCode(3, "not found", (UsernameNotFound,)),
    ExitCode(4, "quota spent", (QuotaExceeded,)),
    ExitCode(
        5,
        "auth or configuration",
        (ApiConfigError, ConfigError, ProviderAuthError, AuthenticationError),
    ),
    ExitCode(
        6,
        "upstream unavailable",
        (ProviderUnavailable, RateLimited, BackendUnavailable, MalformedPayload),
        "any other ProviderError or BackendError",
    ),
    ExitCode(7, "sync refused, a sudden drop", (SuspiciousDrop,), "--force overrides"),
    ExitCode(130, "interrupted", (KeyboardInterrupt,), "Ctrl-C"),
)
"""Every exit code of the command; ``--help`` and :func:`exit_code` both read it."""

OK, UNEXPECTED, USAGE, NOT_FOUND, QUOTA, CONFIG, UPSTREAM, REFUSED, INTERRUPTED = (
    c.code for c in CODES
)

# Classes that give a code without being named in its row (the catch-all of code 6).
_CATCH_ALL: tuple[tuple[type[BaseException], ...], int] = ((ProviderError, BackendError), UPSTREAM)

TABLE = "exit codes:\n" + "".join(
    textwrap.fill(c.line(), width=78, initial_indent="  ", subsequent_indent=" " * 7) + "\n"
    for c in CODES
)
"""The table shown in ``--help``."""


# What to set, for errors whose own message may not say it.
_HINTS: tuple[tuple[type[BaseException], str, str], ...] = (
    (ApiConfigError, "RAPIDAPI_KEY", "set RAPIDAPI_KEY (or RAPIDAPI_KEYS)"),
    (BackendConfigError, "HYPERBUDS_TOKEN", "check HYPERBUDS_TOKEN and HYPERBUDS_API_URL"),
    (SuspiciousDrop, "--force", "rerun with --force to send it anyway"),
)


def exit_code(exc: BaseException) -> int:
    """The exit code for ``exc`` (see :data:`CODES`)."""
    for row in CODES:
        if row.raised_by and isinstance(exc, row.raised_by):
            return row.code
    kinds, code = _CATCH_ALL
    return code if isinstance(exc, kinds) else UNEXPECTED


def describe(exc: BaseException) -> str:
    """``exc`` as one readable line without credentials (no ``error:`` prefix)."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, HyperbudsSyncError | UsageError):
        text = str(exc)
        for kind, word, hint in _HINTS:
            if isinstance(exc, kind) and word not in text:
                text = f"{text} ({hint})"
    else:
        text = f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
    return redact(" ".join(text.split()))


def _fact(value: object) -> Any:
    """One attribute of an error as JSON takes it, or ``None`` to leave it out."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return [redact(v) for v in value]
    return None


def error_json(exc: BaseException, *, code: int | None = None) -> dict[str, Any]:
    """``exc`` as the one JSON object ``--json`` prints on stderr: ``error`` (the class),
    ``message`` (as :func:`describe` says it), ``exit_code``, then the error's public facts
    (platform, provider, status, reset_at...), none of them a credential."""
    body: dict[str, Any] = {
        "error": type(exc).__name__,
        "message": describe(exc),
        "exit_code": exit_code(exc) if code is None else code,
    }
    for name, value in sorted(vars(exc).items()):
        fact = _fact(value)
        if name.startswith("_") or name in body or name == "message" or fact is None:
            continue
        body[name] = fact
    return body


def report(exc: BaseException, *, as_json: bool, code: int | None = None) -> int:
    """Say ``exc`` on stderr, as one ``error:`` line or (``--json``) one JSON object; return
    its exit code. stdout is left alone."""
    body = error_json(exc, code=code)
    if as_json:
        print(json.dumps(body, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"error: {body['message']}", file=sys.stderr)
    return int(body["exit_code"])
