"""Load the sample provider answers in ``tests/payloads/`` (composed from real shapes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def load_payload(name: str) -> Any:
    """A fresh copy of ``tests/payloads/{name}.json`` (the ``.json`` suffix is optional)."""
    file = PAYLOADS / (name if name.endswith(".json") else f"{name}.json")
    return json.loads(file.read_text(encoding="utf-8"))


def provider_payloads() -> list[Path]:
    """The captured provider answers (the backend's answers, ``backend-*``, are not one)."""
    return sorted(p for p in PAYLOADS.glob("*.json") if not p.name.startswith("backend-"))
