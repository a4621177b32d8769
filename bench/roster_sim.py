"""The roster simulation: ``python bench/roster_sim.py [--quick] [--json]``.

10,000 creators x 5 platforms (``--quick``: 1,000), one budget per provider, one simulated month on
a virtual clock, driven through the real planner and budget ledger by the virtual runner
(``hyperbuds_sync.roster._simulate``). Printed beside the issue's targets: max staleness against
the budget's theoretical minimum (30 days x creator-platforms / calls available), calls over any
budget, the busiest day against a day's share, and RSS over the run (sampled each simulated day).
``bench/run.py`` runs it in a child process so the RSS is the simulation's alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from hyperbuds_sync.roster import RosterEntry  # noqa: E402
from hyperbuds_sync.roster._simulate import simulate  # noqa: E402

Row = tuple[str, str, str, bool | None]

PLATFORMS = {  # platform -> provider, monthly budget for 10,000 creators
    "tiktok": ("tiktok-api23", 100_000),
    "twitter": ("twitter241", 50_000),
    "twitch": ("twitch-scraper2", 200_000),
    "instagram": ("instagram-looter2", 30_000),
    "youtube": ("youtube138", 150_000),
}


def _status_mb(field: str) -> float:
    """A memory figure from /proc/self/status (VmRSS now, VmHWM the peak), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def measure(creators: int) -> dict[str, Any]:
    """Run the month and return its figures (a JSON-able dict)."""
    entries = [
        RosterEntry(f"creator-{i}", platform, provider)
        for i in range(creators)
        for platform, (provider, _) in PLATFORMS.items()
    ]
    budgets = {provider: calls * creators // 10_000 for provider, calls in PLATFORMS.values()}
    samples: list[float] = [_rss_mb()]
    started = time.perf_counter()
    result = simulate(entries, budgets, days=30, on_day=lambda _day: samples.append(_rss_mb()))
    seconds = time.perf_counter() - started
    providers = {
        name: {
            "entries": run.entries,
            "available": run.available,
            "calls": run.calls,
            "over_budget": run.over_budget,
            "deferrals": run.deferrals,
            "staleness_ratio": run.max_staleness_days / run.theoretical_min_days,
            "max_staleness_days": run.max_staleness_days,
            "busiest_day_share": run.busiest_day_share,
        }
        for name, run in result.providers.items()
    }
    peak = _status_mb("VmHWM")  # this process's own peak (ru_maxrss outlives exec on Linux)
    return {
        "creators": creators,
        "seconds": seconds,
        "providers": providers,
        "rss_samples": samples,
        "peak_mb": peak,
    }


def run_child(creators: int) -> dict[str, Any]:
    """:func:`measure` in a fresh process (for bench/run.py)."""
    child = subprocess.run(
        [sys.executable, __file__, "--json", "--creators", str(creators)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(child.stdout)
    return result


def rows(figures: dict[str, Any]) -> list[Row]:
    """The report's rows, each beside its target."""
    out: list[Row] = []
    providers = figures["providers"]
    worst = max(providers.items(), key=lambda kv: kv[1]["staleness_ratio"])
    ratio = worst[1]["staleness_ratio"]
    out.append(
        (f"roster max staleness / min ({worst[0]})", f"{ratio:.3f}x", "<= 1.1x", ratio <= 1.1)
    )
    over = sum(p["over_budget"] for p in providers.values())
    out.append(("roster calls over any budget", f"{over}", "0", over == 0))
    busiest = max(p["busiest_day_share"] for p in providers.values())
    out.append(("roster busiest day / day's share", f"{busiest:.2f}x", "<= 1.5x", busiest <= 1.5))
    spent = sum(p["calls"] for p in providers.values()) / sum(
        p["available"] for p in providers.values()
    )
    out.append(("roster calls spent / available", f"{spent:.1%}", "(information)", None))
    samples = figures["rss_samples"]
    half = samples[len(samples) // 2 :]
    growth = max(half) - min(half)
    peak = figures["peak_mb"]
    n = figures["creators"] * len(PLATFORMS)
    out.append((f"roster peak RSS, {n:,} entries", f"{peak:.0f} MB", "< 200 MB", peak < 200))
    out.append(("roster RSS growth, 2nd half", f"{growth:.0f} MB", "flat (< 10 MB)", growth < 10))
    out.append(
        ("roster simulated month, wall", f"{figures['seconds']:.1f} s", "(information)", None)
    )
    return out


def report(figures: dict[str, Any]) -> None:
    """Print the per-provider lines."""
    for name, p in figures["providers"].items():
        print(
            f"  {name:<18} {p['entries']:>6} entries  {p['calls']:>7}/{p['available']:<7} calls  "
            f"staleness {p['max_staleness_days']:.2f} d ({p['staleness_ratio']:.3f}x min)  "
            f"busiest day {p['busiest_day_share']:.2f}x  over {p['over_budget']}  "
            f"deferred {p['deferrals']}"
        )
    trail = figures["rss_samples"][:: max(1, len(figures["rss_samples"]) // 8)]
    print(f"  RSS per simulated day (MB): {', '.join(f'{mb:.0f}' for mb in trail)}")


def main(argv: list[str] | None = None) -> int:
    """Run the simulation and print its figures (or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 creators instead of 10,000")
    parser.add_argument("--creators", type=int, help="creators (each on 5 platforms)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    creators = args.creators or (1_000 if args.quick else 10_000)
    figures = measure(creators)
    if args.json:
        print(json.dumps(figures))
        return 0
    report(figures)
    for what, figure, target, met in rows(figures):
        verdict = "-" if met is None else ("yes" if met else "NO")
        print(f"{what:<46}{figure:<12}{target:<16}{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
