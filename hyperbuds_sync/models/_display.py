"""Notebook display: small HTML tables for the records' ``_repr_html_``, every value escaped.

Jupyter calls ``_repr_html_`` to show an object; the text repr stays for terminals and logs.
Values come from providers and users (a bio, a display name), so each one is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

__all__ = ["cell", "record_table", "rows_table"]


def cell(value: Any) -> str:
    """One value as escaped text: ``None`` as empty, datetimes in ISO 8601, floats to 2 places."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.isoformat(timespec="seconds")
    elif isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    return html.escape(text)


def record_table(title: str, record: Mapping[str, Any]) -> str:
    """A two-column table, one field a row, under a caption."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{cell(v)}</td></tr>"
        for k, v in record.items()
    )
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"


def rows_table(title: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A table with one row per mapping, the ``columns`` given, under a caption."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><caption>{html.escape(title)}</caption><tr>{head}</tr>{body}</table>"
