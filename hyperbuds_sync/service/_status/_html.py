"""The status page's HTML building blocks: escaping, times, tables with header cells and
captions, figures with their text alternative, sections, and the page's shell (one stylesheet
served by the service, no script, a reload every :data:`REFRESH` seconds)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

from ._charts import Chart

__all__ = [
    "REFRESH",
    "STYLESHEET",
    "e",
    "figure",
    "moment",
    "section",
    "shell",
    "sign_in_page",
    "table",
    "when",
]

REFRESH = 60
"""Seconds between the page's own reloads."""
STYLESHEET = "/status/static/status.css"


def e(value: object) -> str:
    """Escaped text; numbers with thousands separators (floats to 2 decimals); ``-`` for none."""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return escape("-" if value is None else str(value))


def when(value: str | None) -> str:
    if value is None:
        return "-"
    shown = value.replace("T", " ").replace("+00:00", " UTC")
    return f'<time datetime="{e(value)}">{e(shown)}</time>'


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]], empty: str) -> str:
    """A table; cells of ``rows`` are already HTML, the first one a row header."""
    body = "".join(
        "<tr>" + f'<th scope="row">{row[0]}</th>' + "".join(f"<td>{c}</td>" for c in row[1:])
        for row in rows
    )
    if not body:
        return f"<p>{e(empty)}</p>"
    cols = "".join(f'<th scope="col">{e(h)}</th>' for h in head)
    return (
        f'<div class="scroll"><table><caption>{e(caption)}</caption>'
        f"<thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def figure(chart: Chart) -> str:
    return f'<figure class="chart">{chart.svg}<figcaption>{e(chart.alt)}</figcaption></figure>'


def shell(title: str, body: str, *, refresh: bool, signed_in: bool) -> str:
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
        f'{reload}<title>{e(title)}</title><link rel="stylesheet" href="{STYLESHEET}">'
        f"</head><body><header><h1>{e(title)}</h1>{out}</header>{body}</body></html>"
    )


def section(anchor: str, title: str, body: str) -> str:
    return (
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
        f'<h2 id="{anchor}-h">{e(title)}</h2>{body}</section>'
    )


def sign_in_page(message: str | None = None) -> str:
    """The sign-in form: the caller key as a password, posted to the service, never echoed."""
    note = f'<p role="alert">{e(message)}</p>' if message else ""
    form = (
        '<main><form method="post" action="/status/sign-in" class="sign-in">'
        "<h2>Sign in</h2><p>Sign in with one of the service's caller keys.</p>"
        f'{note}<label for="key">Caller key</label>'
        '<input id="key" name="key" type="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form></main>'
    )
    return shell("hyperbuds-sync status", form, refresh=False, signed_in=False)
