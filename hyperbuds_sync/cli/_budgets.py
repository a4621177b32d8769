"""``--budget`` and ``--reserve``, one parser for ``roster`` and ``worker``.

``--budget PROVIDER=N`` (calls a month) or ``PROVIDER=N/daily`` (``/monthly`` is the default),
repeatable. ``roster`` takes both flags before its action and after it; the values add up.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..roster import Budget

__all__ = ["add_budget_flags", "budget_arg", "budgets_of", "missing_budgets_error"]

_SPEC = "PROVIDER=N[/daily]"
_AFTER = "budget_after"


def budget_arg(text: str) -> tuple[str, Budget]:
    """One ``--budget``: ``PROVIDER=N`` or ``PROVIDER=N/daily`` (or ``/monthly``).

    Raises:
        argparse.ArgumentTypeError: anything else, with the form expected.
    """
    from ..roster import Budget  # when a --budget is given: the parser itself stays light

    provider, sep, amount = text.partition("=")
    calls, _, period = amount.strip().partition("/")
    if not sep or not provider.strip() or not calls.isdigit() or period not in _PERIODS:
        raise argparse.ArgumentTypeError(
            f"--budget takes {_SPEC} (tiktok-api23=10000, twitch-scraper2=500/daily), not {text!r}"
        )
    return provider.strip(), Budget(int(calls), "daily" if period == "daily" else "monthly")


_PERIODS = ("", "daily", "monthly")


def add_budget_flags(parser: argparse.ArgumentParser, *, after: bool = False) -> None:
    """``--budget`` (repeatable) and ``--reserve`` on ``parser``; ``after``: on an action's own
    parser, where a flag given adds to (``--budget``) or overrides (``--reserve``) the one before
    the action."""
    parser.add_argument(
        "--budget",
        action="append",
        type=budget_arg,
        dest=_AFTER if after else "budget",
        default=argparse.SUPPRESS if after else [],
        metavar=_SPEC,
        help="calls a month (or /daily) for a provider; repeatable (default: learned from its "
        "answers, x-ratelimit-requests-limit)",
    )
    parser.add_argument(
        "--reserve",
        type=float,
        default=argparse.SUPPRESS if after else 0.2,
        help="share of each budget kept back for on-demand fetches (0.2)",
    )


def budgets_of(args: argparse.Namespace) -> dict[str, Budget]:
    """Every ``--budget`` given, before and after the action, the last one per provider kept."""
    given = [*getattr(args, "budget", []), *getattr(args, _AFTER, [])]
    return dict(given)


def missing_budgets_error(providers: Sequence[str]) -> ConfigError:
    """The one error naming every provider without a budget, and the flags that give them."""
    names = ", ".join(repr(p) for p in providers)
    flags = " ".join(f"--budget {p}=N" for p in providers)
    noun = "provider" if len(providers) == 1 else "providers"
    return ConfigError(
        f"no budget for {noun} {names}: pass {flags} (calls a month; N/daily for a day), or let "
        "one answer teach it (x-ratelimit-requests-limit)"
    )
