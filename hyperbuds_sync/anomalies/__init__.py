"""Growth anomalies: bought followers, purges and engagement that does not follow.

This folder owns the detector, pure functions over one creator's series of history snapshots
(no I/O: the caller reads the history), and its records: :class:`Anomaly` and the thresholds,
:class:`AnomalySettings`. :func:`detect` finds every anomaly in a series, :func:`revealed` the
ones its latest snapshot reveals (what a roster refresh reports), :func:`sudden_drop` the drop
rule on two bare values (what the sudden-drop guard holds); :func:`anomalies_of` is the one
async step, reading a creator's snapshots from a history store (any :class:`SnapshotSource`),
and :func:`all_anomalies` the same for every creator from one read (a
:class:`HistoriesSource`). It
imports ``errors`` and nothing else of ours, never the ``history``, so the history's sudden-drop
guard may call :func:`sudden_drop`.

::

    snapshots = await store.snapshots("tiktok", "mayacooks", since=...)
    for anomaly in detect(snapshots):
        print(anomaly.kind, anomaly.explain)
"""

from __future__ import annotations

from ._detect import detect, revealed
from ._read import HistoriesSource, SnapshotSource, all_anomalies, anomalies_of
from ._rules import sudden_drop
from ._series import Normal, SnapshotLike
from ._types import Anomaly, AnomalySettings, Kind

__all__ = [
    "Anomaly",
    "AnomalySettings",
    "HistoriesSource",
    "Kind",
    "Normal",
    "SnapshotLike",
    "SnapshotSource",
    "all_anomalies",
    "anomalies_of",
    "detect",
    "revealed",
    "sudden_drop",
]
