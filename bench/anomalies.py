"""The anomaly benchmark: ``python bench/anomalies.py [--quick] [--seeds 24,7,1,2,3]`` (also
``bench/run.py --only anomalies``).

1. quality: 2,000 labelled creators over 180 days (``bench/_anomaly_gen.py``: organic growth with
   a weekly rhythm and size-dependent rates, organic viral bursts, irregular roster-like sampling,
   rounded big counts, missed refreshes, stale repeats, outages; injected bought spikes, purges
   and divergences), every creator through :func:`hyperbuds_sync.anomalies.detect` with the
   default settings. A found anomaly matches a label of its kind whose stretch it touches.
   Printed: precision and recall per kind, spikes by size, false anomalies per 100
   creator-months (all creators, and the organic ones: no label).
   Each seed draws its own labelled set; a target is met when every seed meets it.
2. speed: 10,000 creators' 180 days written to an SQLite history store (cached in
   ``build/bench/``), then, timed, the SDK's own call: ``SocialSync.all_anomalies()`` over the
   whole stored period (one streamed read of every history, the detector per creator).

The detector never sees the labels; ``--quick`` uses 500 and 2,000 creators and seed 24 alone.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import _anomaly_gen as gen  # noqa: E402

from hyperbuds_sync import SocialSync  # noqa: E402
from hyperbuds_sync.anomalies import Anomaly, AnomalySettings, detect  # noqa: E402
from hyperbuds_sync.history import open_store  # noqa: E402

Row = tuple[str, str, str, bool | None]
OUT = ROOT / "build" / "bench"
MONTHS = gen.DAYS / 30
SEEDS = (24, 7, 1, 2, 3)  # 24 the seed the defaults were studied on; the others held out


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
            observable = _observable(creator, label, AnomalySettings().max_gap_days)
            seen[_bucket(label)] += observable
            if any(_touches(a, label) for a in anomalies):
                hit[_bucket(label)] += 1
                hit[_bucket(label) + " observable"] += observable
    organic = sum(c.organic for c in creators)
    return {
        "seed": seed,
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


async def scan(path: Path) -> tuple[int, int, float, float]:
    """Every creator's anomalies from the store at ``path`` through the SDK's own call: creators
    with anomalies, anomalies, seconds and this process's CPU seconds (the call alone)."""
    store = open_store(str(path))
    await store.setup()  # the schema checked before the clock starts
    whole = (datetime.now(UTC) - gen.T0).days + 1  # every stored day, whatever today is
    async with SocialSync(history_store=store) as sync:
        started, cpu = time.perf_counter(), time.process_time()
        found = await sync.all_anomalies(days=whole)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await store.aclose()
    return len(found), sum(map(len, found.values())), seconds, cpu


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
    flagged, found, seconds, cpu = asyncio.run(scan(path))
    return {
        "creators": count,
        "flagged": flagged,
        "found": found,
        "seconds": seconds,
        "cpu": cpu,
        "load": os.getloadavg()[0],
    }


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _figures(q: dict[str, Any]) -> dict[str, float]:
    """One seed's figures against the targets."""
    found, true, labels, hit = q["found"], q["true"], q["labels"], q["hit"]
    return {
        "precision": _ratio(true["spike >= 10%"], found["spike >= 10%"]) or 0.0,
        "recall": _ratio(hit["spike >= 10%"], labels["spike >= 10%"]) or 0.0,
        "small": _ratio(hit["spike 5-10%"], labels["spike 5-10%"]) or 0.0,
        "organic": q["false_organic_per_100"],
        "all": q["false_per_100"],
    }


def _details(q: dict[str, Any]) -> None:
    found, true, labels, hit, seen = q["found"], q["true"], q["labels"], q["hit"], q["seen"]
    print(
        f"  seed {q['seed']}: {q['creators']:,} creators ({q['organic']:,} organic), "
        f"{q['snapshots']:,} snapshots, {gen.DAYS} days"
    )
    for kind in ("spike", "spike >= 10%", "drop", "divergence"):
        print(
            f"    {kind:<14} precision {_fmt(_ratio(true[kind], found[kind]))} "
            f"({true[kind]}/{found[kind]})"
        )
    for kind in ("spike >= 10%", "spike 5-10%", "drop", "divergence"):
        print(
            f"    {kind:<14} recall {_fmt(_ratio(hit[kind], labels[kind]))} ({hit[kind]}/"
            f"{labels[kind]}); with no gap over 15 days around it "
            f"{_fmt(_ratio(hit[kind + ' observable'], seen[kind]))} "
            f"({hit[kind + ' observable']}/{seen[kind]})"
        )
    print(
        f"    false anomalies per 100 creator-months: {q['false_organic_per_100']:.2f} organic, "
        f"{q['false_per_100']:.2f} all"
    )


def report(qs: list[dict[str, Any]], s: dict[str, Any]) -> list[Row]:
    """Print the details per seed and return the table's rows: each target met when every
    seed meets it (the worst seed's figure shown)."""
    for q in qs:
        _details(q)
    per = [_figures(q) for q in qs]
    print("  seed  precision>=10%  recall>=10%  recall 5-10%  false/100 organic  false/100 all")
    for q, f in zip(qs, per, strict=True):
        print(
            f"  {q['seed']:>4}  {f['precision']:>14.3f}  {f['recall']:>11.3f}  "
            f"{f['small']:>12.3f}  {f['organic']:>17.2f}  {f['all']:>13.2f}"
        )
    print(
        f"  speed: {s['creators']:,} creators through sync.all_anomalies(): {s['found']:,} "
        f"anomalies on {s['flagged']:,} creators in {s['seconds']:.2f} s ({s['cpu']:.2f} s of "
        f"CPU; load average {s['load']:.1f} on {os.cpu_count()} cores)"
    )
    seeds = f"{len(qs)} seed" + ("s" if len(qs) > 1 else "")
    worst_p = min(f["precision"] for f in per)
    worst_r = min(f["recall"] for f in per)
    worst_false = max(f["organic"] for f in per)
    small = ", ".join(f"{f['small']:.2f}" for f in per)
    return [
        (f"anomalies: spikes >= 10% precision (worst of {seeds})", f"{worst_p:.3f}", ">= 0.95",
         worst_p >= 0.95),
        (f"anomalies: spikes >= 10% recall (worst of {seeds})", f"{worst_r:.3f}", ">= 0.90",
         worst_r >= 0.90),
        ("anomalies: spikes 5-10% recall, per seed", small, "(stated)", None),
        (f"anomalies: false per 100 creator-months (worst of {seeds})",
         f"{worst_false:.2f} organic", "<= 1 (organic)", worst_false <= 1),
        (f"anomalies: {s['creators']:,} creators from SQLite, wall",
         f"{s['seconds']:.2f} s (load {s['load']:.1f})", "< 5 s", s["seconds"] < 5),
        (f"anomalies: {s['creators']:,} creators from SQLite, CPU", f"{s['cpu']:.2f} s",
         "(< 5 s on a quiet machine)", s["cpu"] < 5),
    ]  # fmt: skip


def rows(*, quick: bool = False, seeds: tuple[int, ...] | None = None) -> list[Row]:
    """Both measurements, printed; the table's rows."""
    chosen = seeds or ((24,) if quick else SEEDS)
    qs = [quality(500 if quick else 2_000, seed) for seed in chosen]
    s = speed(2_000 if quick else 10_000)
    return report(qs, s)


def main(argv: list[str] | None = None) -> int:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 and 2,000 creators, seed 24")
    parser.add_argument(
        "--seeds",
        type=lambda text: tuple(int(seed) for seed in text.split(",")),
        help=f"the labelled sets' seeds, comma-separated ({','.join(map(str, SEEDS))})",
    )
    args = parser.parse_args(argv)
    for what, figure, target, met in rows(quick=args.quick, seeds=args.seeds):
        verdict = "-" if met is None else ("yes" if met else "NO")
        print(f"{what:<60}{figure:<28}{target:<28}{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
