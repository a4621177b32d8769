"""How a message tells the user to install an optional extra, in one place.

The package is not on PyPI yet: the hint names both the published form and the checkout form, in
double quotes (which every shell, Windows' included, reads as one argument).
"""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(extras: str) -> str:
    """``pip install "hyperbuds-sync[extras]"`` and its form from a checkout, for ``extras`` like
    ``"history"`` or ``"history,postgres"``."""
    return f'pip install "hyperbuds-sync[{extras}]" (from a checkout: pip install -e ".[{extras}]")'
