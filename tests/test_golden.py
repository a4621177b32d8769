"""Golden outputs: every adapter gives today what it gave when ``tests/golden`` was recorded.

The files are written by ``python tests/_golden.py``; rewrite them only for a deliberate change,
and say why in the commit. See :mod:`_golden` for what they hold.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _golden import (
    ADAPTERS,
    GOLDEN,
    PROVIDERS_NEW,
    USUAL,
    USUAL_NEW,
    answer_inputs,
    answer_outcome,
    canon,
    delta,
    load_answer,
    outcome,
    variants,
    variants_file,
)
from _payloads import load_payload, provider_payloads


def golden(name: str) -> Any:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_sample_payloads(adapter: str) -> None:
    want = golden("payloads.json")[adapter]
    assert sorted(want) == sorted(p.stem for p in provider_payloads())
    for name, expected in want.items():
        assert canon(outcome(ADAPTERS[adapter], load_payload(name))) == canon(expected), name


@pytest.mark.parametrize(("platform", "name"), USUAL, ids=[name for _, name in USUAL])
def test_one_place_variants(platform: str, name: str) -> None:
    want = golden(f"variants-{name}.json")
    adapter = ADAPTERS[platform]
    base = outcome(adapter, load_payload(name))
    assert canon(base) == canon(want["base"])
    count, wrong = 0, []
    for label, variant in variants(load_payload(name)):
        count += 1
        got = delta(base, outcome(adapter, variant))
        if canon(got) != canon(want["changed"].get(label, {})):
            wrong.append((label, got, want["changed"].get(label, {})))
    assert count == want["count"]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_emulator_answers(adapter: str) -> None:
    for case in golden("emulator.json")[adapter]:
        assert canon(outcome(ADAPTERS[adapter], case["payload"])) == canon(case["outcome"])


def test_payload_tables() -> None:
    wrong = [
        (label, case["outcome"])
        for label, case in golden("tables.json").items()
        if canon(outcome(ADAPTERS[case["adapter"]], case["payload"])) != canon(case["outcome"])
    ]
    assert not wrong, wrong


def test_outcomes_tell_types_apart() -> None:
    """The comparison is typed: a flag read as 1 or a count read as 1.0 would not pass."""
    assert canon({"verified": True}) != canon({"verified": 1})
    assert canon({"followers": 1}) != canon({"followers": 1.0})


@pytest.mark.parametrize("provider", sorted(PROVIDERS_NEW))
def test_new_providers_on_every_payload(provider: str) -> None:
    want = golden("providers.json")[provider]
    assert set(want) >= {p.stem for p in provider_payloads()}
    for name, expected in want.items():
        got = outcome(PROVIDERS_NEW[provider], load_answer(name))
        assert canon(got) == canon(expected), name


@pytest.mark.parametrize(("provider", "name"), USUAL_NEW, ids=[p for p, _ in USUAL_NEW])
def test_new_providers_one_place_variants(provider: str, name: str) -> None:
    want = golden(f"variants-{provider}.json")
    got = variants_file(PROVIDERS_NEW[provider], load_answer(name))
    assert canon(got["base"]) == canon(want["base"])
    assert "error" not in got["base"]
    assert got["count"] == want["count"]
    wrong = [
        k
        for k in set(got["changed"]) | set(want["changed"])
        if canon(got["changed"].get(k)) != canon(want["changed"].get(k))
    ]
    assert not wrong, wrong[:5]


def test_answers_read_wrong_once() -> None:
    """Issue 20's answers: a suspended Twitter user, Google's per-minute 403s, X's usage cap."""
    want = golden("answers.json")
    inputs = answer_inputs()
    assert sorted(want) == sorted(inputs)  # the file holds every case, and no stale one
    wrong = [
        label
        for label, case in want.items()
        if canon(answer_outcome(case)) != canon(case["outcome"])
        or canon({**inputs[label], "outcome": case["outcome"]}) != canon(case)
    ]
    assert not wrong, wrong
