"""The anomaly benchmark: ``python bench/anomalies.py [--quick]`` (also ``bench/run.py --only
anomalies``).

1. quality: 2,000 labelled creators over 180 days (``bench/_anomaly_gen.py``: organic growth with
   a weekly rhythm and size-dependent rates, organic viral bursts, irregular roster-like sampling,
   rounded big counts, missed refreshes, stale repeats, outages; injected bought spikes, purges
   and divergences), every creator through :func:`hyperbuds_sync.anomalies.detect` with the
   default settings. A found anomaly matches a label of its kind whose stretch it touches.
   Printed: precision and recall per kind, spikes by size, false anomalies per 100
   creator-months (all creators, and the organic ones: no label).
2. speed: 10,000 creators' 180 days written to an SQLite history store (cached in
   ``build/bench/``), then, timed, read back in one ordered scan through the store's engine and
   every creator's anomalies computed.

The detector never sees the labels; ``--quick`` uses 500 and 2,000 creators; ``--seed 7`` draws
the held-out labelled set docs/benchmarks.md quotes beside the tuned one (24).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import operator
import os
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import _anomaly_gen as gen  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from hyperbuds_sync.anomalies import Anomaly, detect  # noqa: E402
from hyperbuds_sync.history import open_store  # noqa: E402
from hyperbuds_sync.history._schema import snapshots as table  # noqa: E402  (bench only)

Row = tuple[str, str, str, bool | None]
OUT = ROOT / "build" / "bench"
MONTHS = gen.DAYS / 30


def _days(moment: datetime) -> float:
    return (moment - gen.T0).total_seconds() / 86_400


def _bucket(label: gen.Label) -> str:
    if label.kind != "spike":
        return label.kind
    return "spike >= 10%" if label.size >= 0.10 else "spike 5-10%"


def _touches(anomaly: Anomaly, label: gen.Label) -> bool:
    return anomaly.kind == label.kind and (
        _days(anomaly.start) <= label.end and label.start <= _days(anomaly.end)
    )


def _observable(creator: gen.Creator, label: gen.Label, max_gap: float) -> bool:
    """Whether snapshots surround the label with no gap over ``max_gap`` across it (the rules
    never flag across one)."""
    times = [_days(s.fetched_at) for s in creator.snapshots]
    before = [t for t in times if t <= label.start]
    after = [t for t in times if t >= label.end]
    if not before or not after:
        return False
    inside = [before[-1], *(t for t in times if label.start < t < label.end), after[0]]
    return all(b - a <= max_gap for a, b in itertools.pairwise(inside))


def quality(count: int, seed: int = 24) -> dict[str, Any]:
    """Detect on ``count`` labelled creators and count matches per kind."""
    creators = gen.creators(count, seed)
    found, true, labels, hit, seen = (
        Counter[str](),
        Counter[str](),
        Counter[str](),
        Counter[str](),
        Counter[str](),
    )
    false_all = false_organic = 0
    for creator in creators:
        anomalies = detect(creator.snapshots)
        for a in anomalies:
            kinds = [a.kind] + (["spike >= 10%"] if a.kind == "spike" and a.change >= 0.10 else [])
            found.update(kinds)
            if any(_touches(a, label) for label in creator.labels):
                true.update(kinds)
            else:
                false_all += 1
                false_organic += creator.organic
        for label in creator.labels:
            labels[_bucket(label)] += 1
            observable = _observable(creator, label, 8.0)
            seen[_bucket(label)] += observable
            if any(_touches(a, label) for a in anomalies):
                hit[_bucket(label)] += 1
                hit[_bucket(label) + " observable"] += observable
    organic = sum(c.organic for c in creators)
    return {
        "creators": count,
        "organic": organic,
        "snapshots": sum(len(c.snapshots) for c in creators),
        "found": found,
        "true": true,
        "labels": labels,
        "hit": hit,
        "seen": seen,
        "false_per_100": false_all / (count * MONTHS) * 100,
        "false_organic_per_100": false_organic / max(organic * MONTHS, 1) * 100,
    }


async def _write(path: Path, count: int) -> int:
    """The speed test's history: ``count`` creators at the roster's density."""
    store = open_store(str(path))
    written = 0
    try:
        batch = []
        rng = gen.random.Random(2024)  # not for security
        for i in range(count):
            batch += gen.creator(rng, i, gen.ROSTER_INTERVALS).snapshots
            if len(batch) >= 20_000 or i == count - 1:
                await store.add(batch)
                written += len(batch)
                batch = []
    finally:
        await store.aclose()
    return written


class Scanned(NamedTuple):
    """One snapshot as the scan reads it: the columns the detector needs."""

    platform: str
    fetched_at: datetime
    followers: int
    total_engagement: float | None
    total_content: int
    rounded: bool


_COLUMNS = ("platform", "username", "fetched_at", "followers", "total_engagement")
_COLUMNS += ("total_content", "rounded")
_SCAN = sa.select(*(table.c[name] for name in _COLUMNS)).order_by(
    table.c.platform, table.c.username, table.c.fetched_at
)


async def scan(path: Path) -> tuple[int, int, int, float, float, float]:
    """Every creator's anomalies from the store at ``path``: creators, rows, anomalies, seconds
    reading, seconds in all, and this process's CPU seconds in all.

    One ordered scan on the store's own engine and its aiosqlite connection, the rows taken as
    the driver gives them (SQLAlchemy's result rows and its DateTime parsing cost more than the
    detector does); the moment is parsed by ``datetime.fromisoformat``.
    """
    store = open_store(str(path))
    await store.setup()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        async with store.engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            sql = str(_SCAN.compile(dialect=store.engine.dialect))
            rows = await (await driver.execute(sql)).fetchall()
        read = time.perf_counter() - started
        creators = found = 0
        parse = datetime.fromisoformat
        for _, group in itertools.groupby(rows, key=operator.itemgetter(0, 1)):
            history = [
                Scanned(p, parse(at + "+00:00"), f, e, n, bool(r))  # stored as naive UTC
                for p, _, at, f, e, n, r in group
            ]
            creators += 1
            found += len(detect(history))
    finally:
        await store.aclose()
    cpu = time.process_time() - cpu
    return creators, len(rows), found, read, time.perf_counter() - started, cpu


def speed(count: int) -> dict[str, Any]:
    """Write (once, cached) and scan ``count`` creators; the scan's figures."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"anomalies-{count}.db"
    if not path.exists():
        print(f"  writing {count:,} creators' histories to {path.relative_to(ROOT)} (once)")
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        asyncio.run(_write(partial, count))
        partial.rename(path)
    creators, rows, found, read, total, cpu = asyncio.run(scan(path))
    return {
        "creators": creators,
        "rows": rows,
        "found": found,
        "read": read,
        "seconds": total,
        "cpu": cpu,
        "load": os.getloadavg()[0],
    }


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def report(q: dict[str, Any], s: dict[str, Any]) -> list[Row]:
    """Print the details and return the table's rows."""
    found, true, labels, hit, seen = q["found"], q["true"], q["labels"], q["hit"], q["seen"]
    print(
        f"  quality: {q['creators']:,} creators ({q['organic']:,} organic), "
        f"{q['snapshots']:,} snapshots, {gen.DAYS} days"
    )
    for kind in ("spike", "spike >= 10%", "drop", "divergence"):
        print(
            f"  {kind:<14} precision {_fmt(_ratio(true[kind], found[kind]))} "
            f"({true[kind]}/{found[kind]})"
        )
    for kind in ("spike >= 10%", "spike 5-10%", "drop", "divergence"):
        print(
            f"  {kind:<14} recall {_fmt(_ratio(hit[kind], labels[kind]))} ({hit[kind]}/"
            f"{labels[kind]}); with no gap over 8 days around it "
            f"{_fmt(_ratio(hit[kind + ' observable'], seen[kind]))} "
            f"({hit[kind + ' observable']}/{seen[kind]})"
        )
    print(
        f"  speed: {s['creators']:,} creators, {s['rows']:,} snapshots read in {s['read']:.2f} s, "
        f"{s['found']:,} anomalies, {s['seconds']:.2f} s in all ({s['cpu']:.2f} s of CPU; "
        f"load average {s['load']:.1f} on {os.cpu_count()} cores)"
    )
    big_p = _ratio(true["spike >= 10%"], found["spike >= 10%"]) or 0.0
    big_r = _ratio(hit["spike >= 10%"], labels["spike >= 10%"]) or 0.0
    small_r = _ratio(hit["spike 5-10%"], labels["spike 5-10%"])
    return [
        ("anomalies: spikes >= 10% precision", f"{big_p:.3f}", ">= 0.95", big_p >= 0.95),
        ("anomalies: spikes >= 10% recall", f"{big_r:.3f}", ">= 0.90", big_r >= 0.90),
        ("anomalies: spikes 5-10% recall", _fmt(small_r), "(stated)", None),
        (
            "anomalies: false per 100 creator-months",
            f"{q['false_organic_per_100']:.2f} organic, {q['false_per_100']:.2f} all",
            "<= 1 (organic)",
            q["false_organic_per_100"] <= 1,
        ),
        (
            f"anomalies: {s['creators']:,} creators from SQLite, wall",
            f"{s['seconds']:.2f} s (load {s['load']:.1f})",
            "< 5 s",
            s["seconds"] < 5,
        ),
        (
            f"anomalies: {s['creators']:,} creators from SQLite, CPU",
            f"{s['cpu']:.2f} s",
            "(< 5 s on a quiet machine)",
            s["cpu"] < 5,
        ),
    ]


def rows(*, quick: bool = False, seed: int = 24) -> list[Row]:
    """Both measurements, printed; the table's rows."""
    q = quality(500 if quick else 2_000, seed)
    s = speed(2_000 if quick else 10_000)
    return report(q, s)


def main(argv: list[str] | None = None) -> int:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 and 2,000 creators")
    parser.add_argument("--seed", type=int, default=24, help="the labelled set's seed (24)")
    args = parser.parse_args(argv)
    for what, figure, target, met in rows(quick=args.quick, seed=args.seed):
        verdict = "-" if met is None else ("yes" if met else "NO")
        print(f"{what:<52}{figure:<26}{target:<28}{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
