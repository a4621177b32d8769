"""The status page's charts: SVG drawn on the server by pygal (the ``service`` extra).

pygal draws; this module only picks the chart, its series and its words. Every chart goes into the
page inline, with no script (pygal's tooltip script would be fetched off the service's origin, and
its inline config script is refused by the page's Content-Security-Policy), a ``<title>`` and a
text alternative the page shows beside it. Series differ by dash as well as by colour, so a chart
reads without colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

import attrs

from ..._install import install_hint
from ...errors import ConfigError

__all__ = ["Chart", "bars", "burn_down", "history"]

NEEDS_PYGAL = f"the status page's charts need pygal: {install_hint('service')}"
SVG = "{http://www.w3.org/2000/svg}"
COLOURS = ("#1f5fa8", "#b35900", "#2d7d2d", "#7a3d99")  # dark enough on white for text (4.5:1)
DASHES = ("", "8,4", "2,3", "12,3,2,3")


_FEW_X_LABELS = {
    "x_labels_major_count": 4,
    "show_minor_x_labels": False,
    "x_label_rotation": 0,
    "truncate_label": -1,
}


@attrs.frozen
class Chart:
    """One chart: the inline ``svg`` and ``alt``, the sentence that says what it shows."""

    svg: str
    alt: str


def _pygal() -> Any:
    try:
        import pygal  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover: the service extra installs it
        raise ConfigError(NEEDS_PYGAL) from None
    return pygal


def _number(value: float) -> str:
    """``1,204,377`` for a whole number, ``4.27`` otherwise."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _style(series: int) -> Any:
    pygal = _pygal()
    return pygal.style.Style(
        background="transparent",
        plot_background="transparent",
        foreground="#222",
        foreground_strong="#111",
        foreground_subtle="#555",
        colors=COLOURS[:series] or COLOURS,
        font_family="system-ui, sans-serif",
        label_font_size=15,
        major_label_font_size=15,
        legend_font_size=16,
        title_font_size=18,
    )


def _config(title: str, series: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "style": _style(series),
        "js": [],  # no tooltip script from a CDN
        "css": ["file://style.css", "file://graph.css"],  # pygal's own, inlined into the SVG
        "disable_xml_declaration": True,
        "width": 560,  # drawn to scale in its box: text stays legible at 375 px
        "height": 340,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "margin": 8,
        **extra,
    }


def _dashed(chart: Any, name: str, values: Sequence[Any], index: int) -> None:
    dash = DASHES[index % len(DASHES)]
    chart.add(name, values, stroke_style={"width": 2.5, "dasharray": dash} if dash else None)


def _svg(chart: Any, alt: str) -> Chart:
    """The chart's SVG without pygal's scripts, labelled for assistive technology."""
    root = chart.render_tree()
    for parent in root.iter():
        for child in list(parent):
            if child.tag in (f"{SVG}script", "script"):
                parent.remove(child)
    root.set("role", "img")
    root.set("aria-label", alt)
    root.set("focusable", "false")
    ET.register_namespace("", SVG[1:-1])
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return Chart(ET.tostring(root, encoding="unicode"), alt)


def burn_down(
    title: str, points: Sequence[tuple[datetime, int]], start: datetime, end: datetime, budget: int
) -> Chart:
    """Calls spent this period at each sample, against the budget's even pace."""
    pygal = _pygal()
    chart = pygal.DateTimeLine(
        **_config(title, 2, show_dots=True, dots_size=3, include_x_axis=True, **_FEW_X_LABELS),
        x_value_formatter=lambda d: d.strftime("%b %d"),
    )
    _dashed(chart, "calls spent", list(points), 0)
    _dashed(chart, "even pace of the budget", [(start, 0), (end, budget)], 1)
    spent = points[-1][1] if points else 0
    alt = (
        f"{title}: {spent} of {budget} calls spent; the even pace runs from 0 on "
        f"{start:%Y-%m-%d %H:%M} to {budget} on {end:%Y-%m-%d %H:%M} UTC"
    )
    return _svg(chart, alt)


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Chart:
    """A grouped bar chart: one group per label, one bar per series."""
    pygal = _pygal()
    top = max((v for _, values in series for v in values), default=0) or 1
    step = max(1, math.ceil(top / 5))  # whole numbers on the axis: these are counts
    chart = pygal.Bar(
        **_config(title, len(series), x_label_rotation=0, truncate_label=-1),
        y_labels=list(range(0, top + step, step)),
    )
    chart.x_labels = list(labels)
    for n, (name, values) in enumerate(series):
        _dashed(chart, name, list(values), n)
    parts = "; ".join(
        f"{label}: " + ", ".join(f"{values[i]} {name}" for name, values in series)
        for i, label in enumerate(labels)
    )
    return _svg(chart, f"{title}. {parts or 'nothing yet'}")


def history(
    title: str, points: Sequence[tuple[datetime, float]], unit: str, *, secondary: bool = False
) -> Chart:
    """One creator's values over time, a dot per snapshot."""
    pygal = _pygal()
    chart = pygal.DateTimeLine(
        **_config(title, 1, show_dots=True, dots_size=3, **_FEW_X_LABELS),
        x_value_formatter=lambda d: d.strftime("%b %d %H:%M"),
        value_formatter=_number,
    )
    _dashed(chart, unit, list(points), 1 if secondary else 0)
    if points:
        first, last = points[0], points[-1]
        alt = (
            f"{title}: {len(points)} snapshots, from {_number(first[1])} {unit} on "
            f"{first[0]:%Y-%m-%d %H:%M} to {_number(last[1])} on {last[0]:%Y-%m-%d %H:%M} UTC"
        )
    else:
        alt = f"{title}: no snapshot recorded"
    return _svg(chart, alt)
