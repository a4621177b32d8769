"""A griffe extension for the docs build: Sphinx notation in docstrings -> links.

The package's docstrings cross-reference each other the Sphinx way (``:class:`~x.Y` ``,
``:meth:`fetch` ``) and open examples with ``::``. mkdocstrings renders Markdown, where both would
show as literal text. This extension rewrites them before rendering, without touching the
package:

* ``:role:`target` `` becomes an *optional* autorefs link: a link when ``target`` is rendered on
  the site, plain code otherwise (so an unresolved name never fails ``mkdocs build --strict``).
  Relative names are resolved in the docstring's own scope, then against the package root;
  ``~`` keeps only the last component as the title, as in Sphinx.
* A line ending in ``::`` ends in ``:`` (a line that is only ``::`` goes); the indented block
  after it is already a Markdown code block.

Loaded by mkdocstrings-python from ``mkdocs.yml`` (``extensions:``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|mod|attr|data|exc|obj|const):`(~?)([^`<>]+)`")
_LITERAL = re.compile(r"^(?P<lead>[^\n]*?)::[ \t]*$", re.MULTILINE)


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    """``obj`` and everything it defines (aliases, i.e. imported names, left out)."""
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


def _identifier(obj: griffe.Object, target: str, root: griffe.Module) -> str:
    """The full dotted path ``target`` names, seen from ``obj``."""
    if target.startswith(f"{root.name}.") or target == root.name:
        return target
    head, _, rest = target.partition(".")
    try:
        path = obj.resolve(head)
    except griffe.NameResolutionError:
        path = _inherited(obj, head)
        if path is None:
            if head not in root.members:
                return target
            path = f"{root.name}.{head}"
    return f"{path}.{rest}" if rest else path


def _inherited(obj: griffe.Object, name: str) -> str | None:
    """``name`` as a member, inherited ones included, of the nearest enclosing class."""
    scope: griffe.Object | None = obj
    while scope is not None and not scope.is_class:
        scope = scope.parent
    if scope is None:
        return None
    try:
        found = name in scope.all_members  # type: ignore[attr-defined]
    except Exception:  # a base class griffe cannot resolve
        return None
    return f"{scope.path}.{name}" if found else None


def _literal(match: re.Match[str]) -> str:
    lead = match["lead"]
    return f"{lead}:" if lead.strip() else ""


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles and ``::`` literal markers in every docstring of the package."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            docstring = obj.docstring
            if docstring is None:
                continue

            def link(match: re.Match[str], obj: griffe.Object = obj) -> str:
                tilde, target = match.group(1), match.group(2).strip()
                title = target.rsplit(".", 1)[-1] if tilde else target
                identifier = _identifier(obj, target, pkg)
                return (
                    f'<autoref identifier="{escape(identifier)}" optional>'
                    f"<code>{escape(title)}</code></autoref>"
                )

            text = _ROLE.sub(link, docstring.value)
            docstring.value = _LITERAL.sub(_literal, text)
