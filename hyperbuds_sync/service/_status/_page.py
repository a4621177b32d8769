"""The status page's HTML, from the same facts ``/status`` answers as JSON.

Plain HTML with every value escaped: real headings, tables with header cells and captions, each
chart beside a sentence (and a table) that says what it shows. The building blocks are in
``_html``, the Roster and creator sections in ``_sections``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._charts import bars, burn_down
from ._html import REFRESH, e, figure, moment, section, shell, table, when
from ._sections import creator_html, roster_html

__all__ = ["page"]


# --- providers ------------------------------------------------------------------------------------


def _state(row: dict[str, Any]) -> str:
    if row["available"]:
        return "✓ available"
    until = when(row["benchedUntil"]) if row["benchedUntil"] else "a restart (credentials)"
    reason = f" ({e(row['reason'])})" if row["reason"] else ""
    return f"<strong>✗ benched</strong> until {until}{reason}"


def _quota(row: dict[str, Any]) -> str:
    quota = row["quota"]
    if quota is None or quota["limit"] is None:
        return "not reported yet"
    return f"{e(quota['remaining'])} of {e(quota['limit'])}"


def _provider_row(row: dict[str, Any]) -> list[str]:
    spent = row["spent"]
    quota = row["quota"] or {}
    budget = "-" if spent["budget"] is None else f"{e(spent['budget'])} ({e(spent['budgetFrom'])})"
    return [
        f"{row['position']}. {e(row['provider'])}",
        _state(row),
        _quota(row),
        when(quota.get("resetAt")),
        f"{e(spent['today'])} <small>since {when(spent['todaySince'])}</small>",
        e(spent["period"]),
        f"{budget} <small>per {spent['periodDays']} d</small>",
    ]


def _keys(row: dict[str, Any]) -> str:
    rows = [
        [
            e(k["key"]),
            f"{e(k['remaining'])} of {e(k['limit'])}",
            when(k["resetAt"]),
            when(k["benchedUntil"]) if k["benchedUntil"] else "no",
            e(k["calls"]),
        ]
        for k in row["keys"]
    ]
    head = ("Key", "Quota left", "Resets", "Benched until", "Calls sent")
    return table(f"Keys of {row['provider']}", head, rows, "")


def _burn(row: dict[str, Any]) -> str:
    burn = row["spent"]["burnDown"]
    if burn is None:
        return ""
    points = [(moment(p["at"]), int(p["spent"])) for p in burn["points"]]
    start, end = moment(burn["periodStart"]), moment(burn["periodEnd"])
    return figure(burn_down(f"Burn-down of {row['provider']}", points, start, end, burn["budget"]))


def providers_html(facts: dict[str, Any]) -> str:
    """The Providers section."""
    head = (
        "Provider",
        "State",
        "Quota left",
        "Resets",
        "Calls today",
        "Calls this period",
        "Budget",
    )
    parts = []
    for platform in facts["platforms"]:
        name = platform["platform"]
        chain = platform["chain"]
        listing = table(f"{name}: its chain, in order", head, map(_provider_row, chain), "")
        extra = "".join(
            f'<div class="provider">{_keys(row)}{_burn(row)}</div>' for row in chain if row["keys"]
        )
        parts.append(f'<section class="platform"><h3>{e(name)}</h3>{listing}{extra}</section>')
    return section("providers", "Providers", "".join(parts))


# --- traffic --------------------------------------------------------------------------------------


_TRAFFIC_KEYS = ("requestsHour", "requestsDay", "upstreamHour", "upstreamDay")
_TRAFFIC_SERIES = (
    ("requests, hour", "requestsHour"),
    ("upstream calls, hour", "upstreamHour"),
    ("requests, day", "requestsDay"),
    ("upstream calls, day", "upstreamDay"),
)
_TRAFFIC_HEAD = ("Requests, hour", "Requests, day", "Upstream calls, hour", "Upstream calls, day")


def traffic_html(facts: dict[str, Any]) -> str:
    """The Traffic section."""
    rows = facts["platforms"]
    listing = table(
        "Requests answered and upstream calls, per platform",
        ("Platform", *_TRAFFIC_HEAD, "Cache hits, day"),
        (
            [e(r["platform"]), *(e(r[k]) for k in _TRAFFIC_KEYS), e(r["cache"]["text"])]
            for r in rows
        ),
        "No request yet.",
    )
    chart = bars(
        "Requests and upstream calls, last hour and last day",
        [r["platform"] for r in rows],
        [(name, [r[key] for r in rows]) for name, key in _TRAFFIC_SERIES],
    )
    cache = facts["cache"]
    ratio = "" if cache["ratio"] is None else f" ({cache['ratio']:.0%})"
    summary = (
        f'<p class="figure">Cache hit ratio: <strong id="hit-ratio">{e(cache["text"])}</strong>'
        f"{ratio}, {cache['hits']} hits and {cache['misses']} misses "
        f"since {when(facts['since'])}.</p>"
    )
    outcomes = table(
        "Outcomes of the requests answered, by error class",
        ("Outcome", "Requests"),
        ([e(o["outcome"]), e(o["count"])] for o in facts["outcomes"]),
        "No outcome yet.",
    )
    errors = table(
        f"The last {len(facts['errors'])} errors, newest first",
        ("Time", "Platform", "Creator", "Class", "Message"),
        (
            [
                when(err["at"]),
                e(err["platform"]),
                e(err["username"]),
                e(err["error"]),
                e(err["message"]),
            ]
            for err in facts["errors"]
        ),
        "No error recorded.",
    )
    body = listing + (figure(chart) if rows else "") + summary + outcomes
    return section("traffic", "Traffic", body + "<h3>Recent errors</h3>" + errors)


def page(facts: dict[str, Any], platforms: Sequence[str], *, signed_in: bool) -> str:
    """The whole status page."""
    nav = (
        '<nav aria-label="Sections"><ul><li><a href="#providers">Providers</a></li>'
        '<li><a href="#traffic">Traffic</a></li><li><a href="#roster">Roster</a></li>'
        '<li><a href="#creator">A creator</a></li></ul></nav>'
    )
    updated = f"<p>Updated {when(facts['at'])}; the page reloads itself every {REFRESH} s.</p>"
    main = (
        "<main>"
        + updated
        + nav
        + providers_html(facts["providers"])
        + traffic_html(facts["traffic"])
        + roster_html(facts["roster"])
        + creator_html(platforms, facts["creator"])
        + "</main>"
    )
    return shell("hyperbuds-sync status", main, refresh=True, signed_in=signed_in)
