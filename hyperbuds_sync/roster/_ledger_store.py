"""The budget ledger kept where the roster is: in its history database (SQLite or PostgreSQL).

The same GCRA cells as :class:`~hyperbuds_sync.roster.BudgetLedger` (the budget's pace with its
burst, and the per-second rate limit), kept in the ``budget_ledger`` table through
:class:`~hyperbuds_sync.history.LedgerBooks`: each spend is one transaction that reads the
provider's row under a lock, decides and writes it back. A call is spent (committed) *before*
the request it pays for goes out, so a restart, a crash loop or two roster processes on one
database never spend past the budget. The roster's clock is the time (the processes sharing a
PostgreSQL ledger keep their clocks in step, as NTP does).

While the database cannot be reached the ledger spends nothing (a refresh waits for
:data:`COOL_DOWN`), and retries charged meanwhile are added to the next change that commits.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from ..errors import HistoryUnavailable, InvalidInput
from ._budget import Pace
from ._ledger import _EPSILON, _Cell, _cells
from ._planner import Clock, Plan, utc_now

if TYPE_CHECKING:
    from ..history import LedgerBooks, LedgerRow

__all__ = ["COOL_DOWN", "StoreLedger"]

COOL_DOWN = 5.0
"""Seconds a refresh waits before asking again while the database cannot be reached."""


def _fingerprint(pace: Pace) -> str:
    return f"{pace.available}/{pace.burst}/{pace.period.total_seconds():.0f}/{pace.rate_limit}"


def _restored(row: LedgerRow) -> list[_Cell]:
    return [_Cell(e, tol, tat) for e, tol, tat in row.cells]


def _stored(provider: str, pace: str, cells: list[_Cell], spent: int) -> LedgerRow:
    from ..history import LedgerRow  # SQLAlchemy (the history extra): loaded with the books

    return LedgerRow(provider, pace, tuple((c.emission, c.tolerance, c.tat) for c in cells), spent)


def _repaced(row: LedgerRow, pace: Pace, now: float) -> LedgerRow:
    """``row`` under ``pace``: new cells, the debt already spent ahead of the old pace carried
    over (as :meth:`BudgetLedger.apply`); unchanged when made for this pace already."""
    print_ = _fingerprint(pace)
    if row.pace == print_ and row.cells:
        return row
    fresh = _cells(pace, now)
    for new, old in zip(fresh, _restored(row), strict=False):
        debt = max(0.0, old.tat - now) / old.emission if math.isfinite(old.emission) else 0
        new.tat = now + debt * new.emission if math.isfinite(new.emission) else math.inf
    return _stored(row.provider, print_, fresh, row.spent)


def _repace(row: LedgerRow, *, pace: Pace, now: float) -> tuple[LedgerRow, None]:
    return _repaced(row, pace, now), None


class StoreLedger:
    """The :class:`~hyperbuds_sync.roster.Ledger` kept in the roster's history database: one
    budget per provider, shared by every process on that database, kept across restarts.

    Args:
        books: the ledger's rows (:func:`hyperbuds_sync.history.ledger_books`).
        clock: the time (tests pass their own).
    """

    def __init__(self, books: LedgerBooks, *, clock: Clock = utc_now) -> None:
        self.books = books
        self._clock = clock
        self._paces: dict[str, Pace] = {}
        self._owed: Counter[str] = Counter()  # retries charged while the database was away

    def __repr__(self) -> str:
        return f"StoreLedger({self.books.history!r})"

    async def apply(self, plan: Plan) -> None:
        """Use ``plan``'s paces; a provider whose cells were made for the same pace keeps them
        (a restarted roster finds its spending), another carries its debt over."""
        now = self._now()
        for provider, pace in plan.paces.items():
            self._paces[provider] = pace
            with contextlib.suppress(HistoryUnavailable):  # else re-paced at the next spend
                await self.books.change(provider, partial(_repace, pace=pace, now=now))

    async def try_spend(self, provider: str) -> bool:
        """Spend one call on ``provider`` if its budget and rate limit allow it now (committed
        before this returns ``True``); ``False`` while the database cannot be reached."""
        pace = self._pace(provider)
        now = self._now()
        owed = self._owed[provider]

        def spend(row: LedgerRow) -> tuple[LedgerRow, bool]:
            row = _repaced(row, pace, now)
            cells = _restored(row)
            _take(cells, now, owed)
            if any(cell.wait(now) > _EPSILON for cell in cells):
                return _stored(provider, row.pace, cells, row.spent + owed), False
            for cell in cells:
                cell.take(now)
            return _stored(provider, row.pace, cells, row.spent + owed + 1), True

        try:
            spent = await self.books.change(provider, spend)
        except HistoryUnavailable:
            return False
        self._owed[provider] -= owed
        return spent

    async def charge(self, provider: str, calls: int) -> None:
        """Count ``calls`` made beyond those :meth:`try_spend` allowed (retries): spent whether
        or not the budget had room (kept for the next change while the database is away)."""
        pace = self._pace(provider)
        if calls < 1:
            return
        now = self._now()
        owed = self._owed[provider] + calls

        def charge(row: LedgerRow) -> tuple[LedgerRow, None]:
            row = _repaced(row, pace, now)
            cells = _restored(row)
            _take(cells, now, owed)
            return _stored(provider, row.pace, cells, row.spent + owed), None

        try:
            await self.books.change(provider, charge)
        except HistoryUnavailable:
            self._owed[provider] += calls
            return
        self._owed[provider] -= owed - calls

    async def next_allowed(self, provider: str) -> datetime | None:
        """When the next call to ``provider`` may go (now if it may), ``None`` while paused;
        after :data:`COOL_DOWN` while the database cannot be reached."""
        pace = self._pace(provider)
        now = self._now()
        try:
            row = await self.books.read(provider)
        except HistoryUnavailable:
            return datetime.fromtimestamp(now, UTC) + timedelta(seconds=COOL_DOWN)
        cells = _restored(_repaced(row, pace, now))
        wait = max(cell.wait(now) for cell in cells)
        if not math.isfinite(wait):
            return None
        return datetime.fromtimestamp(math.ceil((now + wait) * 1e6) / 1e6, UTC)

    async def spent(self, provider: str) -> int:
        """Calls spent on ``provider`` by every process sharing this database."""
        self._pace(provider)
        return (await self.books.read(provider)).spent + self._owed[provider]

    async def aclose(self) -> None:
        """Nothing to let go: the database is the client's."""
        return

    def _pace(self, provider: str) -> Pace:
        try:
            return self._paces[provider]
        except KeyError:
            raise InvalidInput(f"no budget for provider {provider!r} in the ledger") from None

    def _now(self) -> float:
        return self._clock().timestamp()


def _take(cells: list[_Cell], now: float, calls: int) -> None:
    """Charge ``calls`` already made to every finite cell (as :meth:`BudgetLedger.charge`)."""
    if calls < 1:
        return
    for cell in cells:
        if math.isfinite(cell.emission):
            cell.tat = max(cell.tat, now) + calls * cell.emission
