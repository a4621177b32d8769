"""The status page's HTML, from the same facts ``/status`` answers as JSON.

Plain HTML with every value escaped: real headings, tables with header cells and captions, each
chart beside a sentence (and a table) that says what it shows. One stylesheet, shipped in the
package and served by the service; no script. The page reloads itself every :data:`REFRESH`
seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from typing import Any

from ._charts import Chart, bars, burn_down, history
from ._roster import interval_text

__all__ = ["REFRESH", "page", "sign_in_page"]

REFRESH = 60
"""Seconds between the page's own reloads."""
STYLESHEET = "/status/static/status.css"


def _e(value: object) -> str:
    return escape("-" if value is None else str(value))


def _when(value: str | None) -> str:
    if value is None:
        return "-"
    shown = value.replace("T", " ").replace("+00:00", " UTC")
    return f'<time datetime="{_e(value)}">{_e(shown)}</time>'


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]], empty: str) -> str:
    """A table; cells of ``rows`` are already HTML, the first one a row header."""
    body = "".join(
        "<tr>" + f'<th scope="row">{row[0]}</th>' + "".join(f"<td>{c}</td>" for c in row[1:])
        for row in rows
    )
    if not body:
        return f"<p>{_e(empty)}</p>"
    cols = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    return (
        f'<div class="scroll"><table><caption>{_e(caption)}</caption>'
        f"<thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _figure(chart: Chart) -> str:
    return f'<figure class="chart">{chart.svg}<figcaption>{_e(chart.alt)}</figcaption></figure>'


def _shell(title: str, body: str, *, refresh: bool, signed_in: bool) -> str:
    reload = f'<meta http-equiv="refresh" content="{REFRESH}">' if refresh else ""
    out = (
        '<form method="post" action="/status/sign-out" class="out">'
        '<button type="submit">Sign out</button></form>'
        if signed_in
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'{reload}<title>{_e(title)}</title><link rel="stylesheet" href="{STYLESHEET}">'
        f"</head><body><header><h1>{_e(title)}</h1>{out}</header>{body}</body></html>"
    )


# --- providers ------------------------------------------------------------------------------------


def _state(row: dict[str, Any]) -> str:
    if row["available"]:
        return "✓ available"
    until = _when(row["benchedUntil"]) if row["benchedUntil"] else "a restart (credentials)"
    reason = f" ({_e(row['reason'])})" if row["reason"] else ""
    return f"<strong>✗ benched</strong> until {until}{reason}"


def _quota(row: dict[str, Any]) -> str:
    quota = row["quota"]
    if quota is None or quota["limit"] is None:
        return "not reported yet"
    return f"{_e(quota['remaining'])} of {_e(quota['limit'])}"


def _provider_row(row: dict[str, Any]) -> list[str]:
    spent = row["spent"]
    quota = row["quota"] or {}
    budget = "-" if spent["budget"] is None else f"{spent['budget']} ({_e(spent['budgetFrom'])})"
    return [
        f"{row['position']}. {_e(row['provider'])}",
        _state(row),
        _quota(row),
        _when(quota.get("resetAt")),
        f"{spent['today']} <small>since {_when(spent['todaySince'])}</small>",
        _e(spent["period"]),
        f"{budget} <small>per {spent['periodDays']} d</small>",
    ]


def _keys(row: dict[str, Any]) -> str:
    rows = [
        [
            _e(k["key"]),
            f"{_e(k['remaining'])} of {_e(k['limit'])}",
            _when(k["resetAt"]),
            _when(k["benchedUntil"]) if k["benchedUntil"] else "no",
            _e(k["calls"]),
        ]
        for k in row["keys"]
    ]
    head = ("Key", "Quota left", "Resets", "Benched until", "Calls sent")
    return _table(f"Keys of {row['provider']}", head, rows, "")


def _burn(row: dict[str, Any]) -> str:
    burn = row["spent"]["burnDown"]
    if burn is None:
        return ""
    points = [(_moment(p["at"]), int(p["spent"])) for p in burn["points"]]
    start, end = _moment(burn["periodStart"]), _moment(burn["periodEnd"])
    return _figure(burn_down(f"Burn-down of {row['provider']}", points, start, end, burn["budget"]))


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
        table = _table(f"{name}: its chain, in order", head, map(_provider_row, chain), "")
        extra = "".join(_keys(row) + _burn(row) for row in chain)
        parts.append(f'<section class="platform"><h3>{_e(name)}</h3>{table}{extra}</section>')
    return _section("providers", "Providers", "".join(parts))


def _section(anchor: str, title: str, body: str) -> str:
    return (
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
        f'<h2 id="{anchor}-h">{_e(title)}</h2>{body}</section>'
    )


# --- traffic --------------------------------------------------------------------------------------


_TRAFFIC_KEYS = ("requestsHour", "requestsDay", "upstreamHour", "upstreamDay")
_TRAFFIC_HEAD = ("Requests, hour", "Requests, day", "Upstream calls, hour", "Upstream calls, day")


def traffic_html(facts: dict[str, Any]) -> str:
    """The Traffic section."""
    rows = facts["platforms"]
    table = _table(
        "Requests answered and upstream calls, per platform",
        ("Platform", *_TRAFFIC_HEAD, "Cache hits, day"),
        (
            [_e(r["platform"]), *(_e(r[k]) for k in _TRAFFIC_KEYS), _e(r["cache"]["text"])]
            for r in rows
        ),
        "No request yet.",
    )
    chart = bars(
        "Requests and upstream calls in the last hour",
        [r["platform"] for r in rows],
        [
            ("requests", [r["requestsHour"] for r in rows]),
            ("upstream calls", [r["upstreamHour"] for r in rows]),
        ],
    )
    cache = facts["cache"]
    ratio = "" if cache["ratio"] is None else f" ({cache['ratio']:.0%})"
    summary = (
        f'<p class="figure">Cache hit ratio: <strong id="hit-ratio">{_e(cache["text"])}</strong>'
        f"{ratio}, {cache['hits']} hits and {cache['misses']} misses "
        f"since {_when(facts['since'])}.</p>"
    )
    outcomes = _table(
        "Outcomes of the requests answered, by error class",
        ("Outcome", "Requests"),
        ([_e(o["outcome"]), _e(o["count"])] for o in facts["outcomes"]),
        "No outcome yet.",
    )
    errors = _table(
        f"The last {len(facts['errors'])} errors, newest first",
        ("Time", "Platform", "Creator", "Class", "Message"),
        (
            [_when(e["at"]), _e(e["platform"]), _e(e["username"]), _e(e["error"]), _e(e["message"])]
            for e in facts["errors"]
        ),
        "No error recorded.",
    )
    body = table + (_figure(chart) if rows else "") + summary + outcomes
    return _section("traffic", "Traffic", body + "<h3>Recent errors</h3>" + errors)


# --- roster ---------------------------------------------------------------------------------------


def _entry_row(r: dict[str, Any]) -> list[str]:
    return [
        f"{_e(r['creatorId'])} on {_e(r['platform'])}",
        _e(r["username"]),
        _e(r["provider"]),
        _when(r["nextAt"]),
        _e(interval_text(r["intervalSeconds"])),
        _e(interval_text(r["stalenessSeconds"])),
    ]


_ENTRY_HEAD = ("Creator", "Username", "Provider", "Next at", "Interval", "Staleness")


def roster_html(facts: dict[str, Any] | None) -> str:
    """The Roster section (a sentence when the service runs no roster)."""
    if facts is None:
        return _section("roster", "Roster", "<p>No roster is configured on this service.</p>")
    counts = (
        f'<p class="figure"><strong>{facts["creators"]}</strong> creators, '
        f"<strong>{facts['creatorPlatforms']}</strong> creator-platforms.</p>"
    )
    if facts["plan"] is None:
        body = counts + f"<p>No plan: {_e(facts['planError'])}</p>"
        return _section("roster", "Roster", body + _deliveries_html(facts["deliveries"]))
    minimums = facts["plan"]["minimumIntervalSeconds"]
    floor = ", ".join(f"{_e(p)} every {_e(interval_text(s))}" for p, s in minimums.items())
    histogram = facts["histogram"]
    chart = bars(
        "Staleness now, in multiples of the budget's theoretical minimum interval",
        [h["bin"] for h in histogram],
        [("creator-platforms", [h["count"] for h in histogram])],
    )
    hist_table = _table(
        "Creator-platforms by staleness (multiples of the theoretical minimum)",
        ("Staleness", "Creator-platforms"),
        ([_e(h["bin"]), _e(h["count"])] for h in histogram),
        "",
    )
    body = (
        counts
        + f"<p>The budget's theoretical minimum interval: {floor or '-'}.</p>"
        + _figure(chart)
        + hist_table
        + "<h3>Next due</h3>"
        + _table("The next refreshes due", _ENTRY_HEAD, map(_entry_row, facts["nextDue"]), "None.")
        + "<h3>Deferred</h3>"
        + _table(
            "Due and waiting for the budget",
            _ENTRY_HEAD,
            map(_entry_row, facts["deferred"]),
            "Nothing is waiting.",
        )
        + "<h3>Failed</h3>"
        + _table(
            "Failing refreshes and their next try",
            ("Creator", "Failures", "Last error", "Retry at"),
            (
                [
                    f"{_e(r['creatorId'])} on {_e(r['platform'])}",
                    _e(r["failures"]),
                    _e(r["lastError"]),
                    _when(r["nextAt"]),
                ]
                for r in facts["failed"]
            ),
            "No refresh is failing.",
        )
    )
    return _section("roster", "Roster", body + _deliveries_html(facts["deliveries"]))


def _deliveries_html(rows: list[dict[str, Any]]) -> str:
    table = _table(
        "Webhook deliveries that failed, kept for replay",
        ("Id", "Kept at", "To", "Event", "Creator", "Tries"),
        (
            [
                _e(d["id"]),
                _when(d["createdAt"]),
                _e(d["to"]),
                _e(d["type"]),
                f"{_e(d['creatorId'])} on {_e(d['platform'])}",
                _e(d["tries"]),
            ]
            for d in rows
        ),
        "No delivery is waiting for a replay.",
    )
    return "<h3>Webhook deliveries kept for replay</h3>" + table


# --- a creator ------------------------------------------------------------------------------------


def _search(platforms: Sequence[str], asked: dict[str, Any] | None) -> str:
    chosen = None if asked is None else asked["platform"]
    options = "".join(
        f'<option value="{_e(p)}"{" selected" if p == chosen else ""}>{_e(p)}</option>'
        for p in platforms
    )
    username = "" if asked is None else asked["username"]
    return (
        '<form method="get" action="/status#creator" role="search" class="search">'
        f'<label for="platform">Platform</label><select id="platform" name="platform">{options}'
        '</select><label for="username">Username</label>'
        f'<input id="username" name="username" value="{_e(username)}" required maxlength="100">'
        '<button type="submit">Show</button></form>'
    )


def _creator_data(facts: dict[str, Any]) -> str:
    who = f"{facts['platform']} @{facts['username']}"
    snaps = facts["snapshots"]
    followers = [(_moment(s["at"]), s["followers"]) for s in snaps]
    engagement = [(_moment(s["at"]), s["engagement"]) for s in snaps if s["engagement"] is not None]
    charts = _figure(history(f"Followers of {who}", followers, "followers"))
    charts += _figure(history(f"Engagement of {who}", engagement, "engagement", secondary=True))
    data = _table(
        f"Snapshots of {who}, oldest first",
        ("Fetched at", "Followers", "Engagement", "Provider"),
        (
            [_when(s["at"]), _e(s["followers"]), _e(s["engagement"]), _e(s["provider"])]
            for s in snaps
        ),
        "No snapshot recorded for this creator.",
    )
    growth = _table(
        f"Growth of {who}",
        ("Window", "Followers change", "Change %", "Engagement change"),
        (
            [
                f"{g['days']} d",
                _e(g["followersChange"]),
                _e(None if g["followersChangePct"] is None else f"{g['followersChangePct']:+.2f}%"),
                _e(g["engagementChange"]),
            ]
            for g in facts["growth"]
        ),
        "No growth window.",
    )
    answered = _table(
        f"Providers that answered for {who}",
        ("Provider", "Snapshots", "Last answer"),
        ([_e(p["provider"]), _e(p["snapshots"]), _when(p["lastAt"])] for p in facts["providers"]),
        "No provider answered yet.",
    )
    table = f"<details><summary>The history as a table</summary>{data}</details>"
    return charts + table + growth + answered


def creator_html(platforms: Sequence[str], facts: dict[str, Any] | None) -> str:
    """The creator section: the search box, and the creator asked for."""
    body = _search(platforms, facts)
    if facts is not None:
        who = f"{facts['platform']} @{facts['username']}"
        body += f"<h3>{_e(who)}</h3>"
        body += f"<p>{_e(facts['error'])}</p>" if facts["error"] else _creator_data(facts)
    return _section("creator", "A creator", body)


def page(facts: dict[str, Any], platforms: Sequence[str], *, signed_in: bool) -> str:
    """The whole status page."""
    nav = (
        '<nav aria-label="Sections"><ul><li><a href="#providers">Providers</a></li>'
        '<li><a href="#traffic">Traffic</a></li><li><a href="#roster">Roster</a></li>'
        '<li><a href="#creator">A creator</a></li></ul></nav>'
    )
    updated = f"<p>Updated {_when(facts['at'])}; the page reloads itself every {REFRESH} s.</p>"
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
    return _shell("hyperbuds-sync status", main, refresh=True, signed_in=signed_in)


def sign_in_page(message: str | None = None) -> str:
    """The sign-in form: the caller key as a password, posted to the service, never echoed."""
    note = f'<p role="alert">{_e(message)}</p>' if message else ""
    form = (
        '<main><form method="post" action="/status/sign-in" class="sign-in">'
        "<h2>Sign in</h2><p>Sign in with one of the service's caller keys.</p>"
        f'{note}<label for="key">Caller key</label>'
        '<input id="key" name="key" type="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form></main>'
    )
    return _shell("hyperbuds-sync status", form, refresh=False, signed_in=False)
