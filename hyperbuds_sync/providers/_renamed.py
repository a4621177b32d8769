"""Old names kept working: a module's ``__getattr__`` that answers each old name with its new
object and a ``DeprecationWarning`` (PEP 562). Listed in CHANGELOG.md under "Deprecated"."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["renamed"]


def renamed(
    module: str, names: Mapping[str, str], found: Mapping[str, Any]
) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``module`` (its ``__name__``): ``names`` maps each old name to the
    new one, looked up in ``found`` (the module's ``globals()``)."""

    def __getattr__(name: str) -> Any:
        new = names.get(name)
        if new is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{module}.{name} is deprecated, use {module}.{new}", DeprecationWarning, stacklevel=2
        )
        return found[new]

    return __getattr__
