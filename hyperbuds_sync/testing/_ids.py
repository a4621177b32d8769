"""Stable made-up ids and YouTube/TikTok-style rounding, shared by the emulators' renderers."""

from __future__ import annotations

import hashlib

__all__ = ["channel_id", "digits", "sig3"]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def digits(seed: str, count: int) -> str:
    """``count`` decimal digits derived from ``seed`` (stable ids without storing any)."""
    number = int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=24).digest(), "big")
    return str(number)[:count]


def sig3(n: int) -> int:
    """``n`` rounded to three significant figures, as TikTok's legacy ``stats`` and YouTube's
    subscriber counts are."""
    return int(float(f"{n:.3g}")) if n >= 1_000 else n


def channel_id(seed: str) -> str:
    """A YouTube channel id (``UC`` + 22 characters) derived from ``seed``."""
    data = hashlib.blake2b(("youtube:" + seed).encode(), digest_size=22).digest()
    return "UC" + "".join(_ALPHABET[b % 64] for b in data)
