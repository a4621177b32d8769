"""The status page's Roster and creator sections, as HTML from their facts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._charts import bars, history
from ._html import e, figure, moment, section, table, when
from ._roster import interval_text

__all__ = ["creator_html", "roster_html"]


# --- roster ---------------------------------------------------------------------------------------


def _entry_row(r: dict[str, Any]) -> list[str]:
    return [
        f"{e(r['creatorId'])} on {e(r['platform'])}",
        e(r["username"]),
        e(r["provider"]),
        when(r["nextAt"]),
        e(interval_text(r["intervalSeconds"])),
        e(interval_text(r["stalenessSeconds"])),
    ]


_ENTRY_HEAD = ("Creator", "Username", "Provider", "Next at", "Interval", "Staleness")


def roster_html(facts: dict[str, Any] | None) -> str:
    """The Roster section (a sentence when the service runs no roster)."""
    if facts is None:
        return section("roster", "Roster", "<p>No roster is configured on this service.</p>")
    counts = (
        f'<p class="figure"><strong>{facts["creators"]}</strong> creators, '
        f"<strong>{facts['creatorPlatforms']}</strong> creator-platforms.</p>"
    )
    if facts["plan"] is None:
        body = counts + f"<p>No plan: {e(facts['planError'])}</p>"
        return section("roster", "Roster", body + _deliveries_html(facts["deliveries"]))
    minimums = facts["plan"]["minimumIntervalSeconds"]
    floor = ", ".join(f"{e(p)} every {e(interval_text(s))}" for p, s in minimums.items())
    histogram = facts["histogram"]
    chart = bars(
        "Staleness now, in multiples of the budget's theoretical minimum interval",
        [h["bin"] for h in histogram],
        [("creator-platforms", [h["count"] for h in histogram])],
    )
    hist_table = table(
        "Creator-platforms by staleness (multiples of the theoretical minimum)",
        ("Staleness", "Creator-platforms"),
        ([e(h["bin"]), e(h["count"])] for h in histogram),
        "",
    )
    body = (
        counts
        + f"<p>The budget's theoretical minimum interval: {floor or '-'}.</p>"
        + figure(chart)
        + hist_table
        + "<h3>Next due</h3>"
        + table("The next refreshes due", _ENTRY_HEAD, map(_entry_row, facts["nextDue"]), "None.")
        + "<h3>Deferred</h3>"
        + table(
            "Due and waiting for the budget",
            _ENTRY_HEAD,
            map(_entry_row, facts["deferred"]),
            "Nothing is waiting.",
        )
        + "<h3>Failed</h3>"
        + table(
            "Failing refreshes and their next try",
            ("Creator", "Failures", "Last error", "Retry at"),
            (
                [
                    f"{e(r['creatorId'])} on {e(r['platform'])}",
                    e(r["failures"]),
                    e(r["lastError"]),
                    when(r["nextAt"]),
                ]
                for r in facts["failed"]
            ),
            "No refresh is failing.",
        )
    )
    return section("roster", "Roster", body + _deliveries_html(facts["deliveries"]))


def _deliveries_html(rows: list[dict[str, Any]]) -> str:
    listing = table(
        "Webhook deliveries that failed, kept for replay",
        ("Id", "Kept at", "To", "Event", "Creator", "Tries"),
        (
            [
                e(d["id"]),
                when(d["createdAt"]),
                e(d["to"]),
                e(d["type"]),
                f"{e(d['creatorId'])} on {e(d['platform'])}",
                e(d["tries"]),
            ]
            for d in rows
        ),
        "No delivery is waiting for a replay.",
    )
    return "<h3>Webhook deliveries kept for replay</h3>" + listing


# --- a creator ------------------------------------------------------------------------------------


def _search(platforms: Sequence[str], asked: dict[str, Any] | None) -> str:
    chosen = None if asked is None else asked["platform"]
    options = "".join(
        f'<option value="{e(p)}"{" selected" if p == chosen else ""}>{e(p)}</option>'
        for p in platforms
    )
    username = "" if asked is None else asked["username"]
    return (
        '<form method="get" action="/status#creator" role="search" class="search">'
        f'<label for="platform">Platform</label><select id="platform" name="platform">{options}'
        '</select><label for="username">Username</label>'
        f'<input id="username" name="username" value="{e(username)}" required maxlength="100">'
        '<button type="submit">Show</button></form>'
    )


def _creator_data(facts: dict[str, Any]) -> str:
    who = f"{facts['platform']} @{facts['username']}"
    snaps = facts["snapshots"]
    followers = [(moment(s["at"]), s["followers"]) for s in snaps]
    engagement = [(moment(s["at"]), s["engagement"]) for s in snaps if s["engagement"] is not None]
    charts = figure(history(f"Followers of {who}", followers, "followers"))
    charts += figure(history(f"Engagement of {who}", engagement, "engagement", secondary=True))
    data = table(
        f"Snapshots of {who}, oldest first",
        ("Fetched at", "Followers", "Engagement", "Provider"),
        ([when(s["at"]), e(s["followers"]), e(s["engagement"]), e(s["provider"])] for s in snaps),
        "No snapshot recorded for this creator.",
    )
    growth = table(
        f"Growth of {who}",
        ("Window", "Followers change", "Change %", "Engagement change"),
        (
            [
                f"{g['days']} d",
                e(g["followersChange"]),
                e(None if g["followersChangePct"] is None else f"{g['followersChangePct']:+.2f}%"),
                e(g["engagementChange"]),
            ]
            for g in facts["growth"]
        ),
        "No growth window.",
    )
    answered = table(
        f"Providers that answered for {who}",
        ("Provider", "Snapshots", "Last answer"),
        ([e(p["provider"]), e(p["snapshots"]), when(p["lastAt"])] for p in facts["providers"]),
        "No provider answered yet.",
    )
    folded = f"<details><summary>The history as a table</summary>{data}</details>"
    return charts + folded + growth + answered


def creator_html(platforms: Sequence[str], facts: dict[str, Any] | None) -> str:
    """The creator section: the search box, and the creator asked for."""
    body = _search(platforms, facts)
    if facts is not None:
        who = f"{facts['platform']} @{facts['username']}"
        body += f"<h3>{e(who)}</h3>"
        body += f"<p>{e(facts['error'])}</p>" if facts["error"] else _creator_data(facts)
    return section("creator", "A creator", body)
