"""The shared reading rules: counts from digit strings, and the message of a malformed answer."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperbuds_sync.errors import MalformedPayload
from hyperbuds_sync.platforms import default_registry
from hyperbuds_sync.providers.reading import _DIGITS, MAX_COUNT, count_of


def by_pattern(value: str) -> int | None:
    """The count ``_DIGITS`` reads from a string (the rule before the plain-digits shortcut)."""
    match = _DIGITS.match(value)
    count = int(match.group(1)) if match else None
    return count if count is not None and count <= MAX_COUNT else None


@given(st.text(alphabet="0123456789\u0663\u0967\uff11\u00b2\u00bd .+-\n", max_size=24))
def test_digit_strings_read_as_the_pattern_reads_them(value: str) -> None:
    assert count_of(value) == by_pattern(value)


@pytest.mark.parametrize(
    "value", ["9" * 19, "9" * 20, str(MAX_COUNT), str(MAX_COUNT + 1), "0" * 20, "\u0661\u0662", ""]
)
def test_digit_string_edges(value: str) -> None:
    assert count_of(value) == by_pattern(value)


@pytest.mark.parametrize(
    ("platform", "payload", "where"),
    [
        ("tiktok", {"userInfo": {"user": 5}}, "@ $.userInfo.user"),
        ("twitter", {"result": {"data": {"user": {"result": []}}}}, "@ $.result.data.user.result"),
        ("twitch", {"data": 3}, "@ $.data"),
    ],
)
def test_malformed_answer_names_the_field(platform: str, payload: object, where: str) -> None:
    """The fast read has no detailed validation; the error path reads again to name the field."""
    with pytest.raises(
        MalformedPayload, match=rf"^{platform} answer is malformed: .*{re.escape(where)}$"
    ):
        default_registry.get(platform).parse("someone", payload)
