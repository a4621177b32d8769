"""Golden outputs of the adapters: what each ``parse`` gives, recorded once, compared ever after.

Run ``python tests/_golden.py`` to (re)write ``tests/golden/*.json`` (``python tests/_golden.py
answers.json`` writes only the files named); ``test_golden.py`` compares
today's outputs with them. An outcome is the profile as a JSON dict, or ``{"error": ClassName}``.
The inputs are every payload in ``tests/payloads`` (each adapter), every one-place variant of the
usual answers (each leaf replaced by each odd value, or dropped), the emulator's answers, the
payload tables of ``test_platforms.py`` and, in ``answers.json``, the answers read wrong once
(issue 20): each adapter's parse, or each official API's HTTP answer (status, headers, body) as
the transport's verdict reads it. Variants are stored as their difference from the base
answer's outcome, so a file stays small and a change reads as one line.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _payloads import load_payload, provider_payloads  # noqa: E402

from hyperbuds_sync.errors import ProviderError  # noqa: E402
from hyperbuds_sync.platforms import (  # noqa: E402
    InstagramLooter2Adapter,
    Provider,
    TikTokApi23Adapter,
    TwitchScraper2Adapter,
    Twitter241Adapter,
)
from hyperbuds_sync.providers.instagram_scraper_api2 import (  # noqa: E402
    InstagramScraperApi2Adapter,
)
from hyperbuds_sync.providers.tiktok_api45 import TikTokApi45Adapter  # noqa: E402
from hyperbuds_sync.providers.twitch_helix import TwitchHelixAdapter  # noqa: E402
from hyperbuds_sync.providers.x_api import XApiAdapter  # noqa: E402
from hyperbuds_sync.providers.youtube138 import YouTube138Adapter  # noqa: E402
from hyperbuds_sync.providers.youtube_data_api import YouTubeDataApiAdapter  # noqa: E402
from hyperbuds_sync.testing._creators import generate_creator  # noqa: E402
from hyperbuds_sync.testing._shapes import PROVIDERS, host_of  # noqa: E402

GOLDEN = HERE / "golden"
ADAPTERS: dict[str, Provider] = {
    a.platform: a
    for a in (
        TikTokApi23Adapter(),
        Twitter241Adapter(),
        TwitchScraper2Adapter(),
        InstagramLooter2Adapter(),
    )
}

PROVIDERS_NEW: dict[str, Any] = {
    a.provider: a
    for a in (
        TikTokApi45Adapter(),
        XApiAdapter(),
        TwitchHelixAdapter(),
        InstagramScraperApi2Adapter(),
        YouTube138Adapter(),
        YouTubeDataApiAdapter(),
    )
}
"""The issue-12 providers by provider name (not yet in the registry, so not in ``ADAPTERS``)."""

USUAL_NEW = [
    ("tiktok-api45", "tiktok-api45-user"),
    ("x-api", "x-api-user"),
    ("twitch-helix", "twitch-helix-users+twitch-helix-followers"),
    ("instagram-scraper-api2", "instagram-v1info-user"),
    ("youtube138", "youtube-user"),
    ("youtube-data-api", "youtube-dataapi-user"),
]
"""Each new provider's usual answer; ``a+b`` is a two-step provider's list of answers."""

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    7,
    2**63 - 1,
    2**63,
    1.0,
    2.5,
    float("nan"),
    "",
    " ",
    "0",
    "12",
    "0012",
    " 12 ",
    "+12",
    "12.0",
    "-3",
    "1.2M",
    "9" * 18,
    "9" * 19,
    "9" * 25,
    "\u0661\u0662",  # Arabic-Indic digits (Nd)
    "1\u0662",
    "\uff11\uff12",  # fullwidth digits (Nd)
    "12\n",
    "\u00b2",  # superscript two: isdigit() but not a decimal
    "UserUnavailable",
    "true",
    "TRUE",
    "Maya_Cooks",
    "@maya",
    "a..b",
    [],
    {},
    [{}],
    {"count": 5},
]

USUAL = [
    ("tiktok", "tiktok-user"),
    ("twitter", "twitter-user"),
    ("twitter", "twitter-user-nolegacy"),
    ("twitch", "twitch-user"),
    ("instagram", "instagram-user"),
    ("instagram", "instagram-v1info-user"),
]

_DROP = "<drop>"


def load_answer(name: str) -> Any:
    """A payload file, or for ``a+b`` the list of the two payloads (a two-step answer)."""
    if "+" in name:
        return [load_payload(part) for part in name.split("+")]
    return load_payload(name)


def variants_file(adapter: Provider, payload: Any) -> dict[str, Any]:
    """The content of a variants file: the base outcome and every variant's difference."""
    base = outcome(adapter, payload)
    changed: dict[str, Any] = {}
    count = 0
    for label, variant in variants(payload):
        count += 1
        diff = delta(base, outcome(adapter, variant))
        if diff:
            changed[label] = diff
    return {"base": base, "count": count, "changed": changed}


def outcome(adapter: Provider, payload: Any, username: str = "someone") -> dict[str, Any]:
    """What ``parse`` gives, as JSON: the profile's fields, or the provider error's class."""
    try:
        profile = adapter.parse(username, payload)
    except ProviderError as error:
        return {"error": type(error).__name__}
    return attrs.asdict(profile)


def canon(value: Any) -> str:
    """``value`` as canonical JSON text: ``True``, ``1`` and ``1.0`` all differ."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=True)


def delta(base: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``got`` that differ from ``base`` (an error outcome is kept whole)."""
    if "error" in got or "error" in base:
        return got
    return {k: v for k, v in got.items() if canon(v) != canon(base.get(k))}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):  # posts repeat their shape
            yield from _paths(item, (*path, index))


def variants(payload: Any) -> Iterator[tuple[str, Any]]:
    """``(label, variant)``: ``payload`` with one place set to each odd value, or removed."""
    for path in _paths(payload):
        if not path:
            continue
        for value in [*ODD_VALUES, _DROP]:
            variant = copy.deepcopy(payload)
            parent = variant
            for step in path[:-1]:
                parent = parent[step]
            if value is _DROP:
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)
            yield f"{canon(list(path))} {_DROP if value is _DROP else repr(value)}", variant


def emulator_answers(platform: str, count: int = 5) -> list[Any]:
    """The emulator's answers for ``count`` generated creators, decoded from JSON."""
    provider = PROVIDERS[host_of(platform)]
    creators = (generate_creator(platform, f"gold{i:03d}") for i in range(count))
    return [json.loads(json.dumps(provider.render(c))) for c in creators]


def table_cases() -> Iterator[tuple[str, str, Any]]:
    """``(label, adapter name, payload)`` from the parametrized payload tables of test_platforms."""
    import test_platforms

    for name in sorted(dir(test_platforms)):
        test = getattr(test_platforms, name)
        if not name.startswith("test_") or not callable(test):
            continue
        for mark in getattr(test, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            names = (
                [n.strip() for n in mark.args[0].split(",")]
                if isinstance(mark.args[0], str)
                else list(mark.args[0])
            )
            if "payload" not in names:
                continue
            for index, values in enumerate(mark.args[1]):
                row = dict(zip(names, values if len(names) > 1 else [values], strict=True))
                adapter = row.get("adapter")
                targets = [adapter.platform] if adapter is not None else _implied(name)
                for target in targets:
                    yield f"{name}[{index}]", target, row["payload"]


def _implied(test_name: str) -> list[str]:
    """The adapters a table without an ``adapter`` column is about (from the test's name)."""
    named = [p for p in ADAPTERS if f"_{p}_" in f"_{test_name}_"]
    return named or list(ADAPTERS)


def break_cases() -> Iterator[tuple[str, str, Any]]:
    """``(label, adapter name, payload)``: the sample answers with an unreadable follower count."""
    import test_platforms

    for target in ADAPTERS:
        for value in test_platforms.BAD_FOLLOWERS:
            shown = "<removed>" if value is test_platforms._REMOVE else repr(value)[:40]
            yield f"bad followers {shown}", target, test_platforms._break_followers(target, value)


# --- answers read wrong once (issue 20) ----------------------------------------------------------

ANSWERS_NOW = 1_800_000_000.0
"""The clock the HTTP answers are judged at (their resets are relative to it)."""

_UNAVAILABLE = {
    "__typename": "UserUnavailable",
    "reason": "Suspended",
    "message": "User is suspended",
}
_USAGE_CAP = {
    "account_id": "1234567890",
    "product_name": "standard-basic",
    "title": "UsageCapExceeded",
    "period": "Monthly",
    "scope": "Product",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
}


def _google(status: int, reason: str, domain: str = "usageLimits") -> dict[str, Any]:
    text = f"The request cannot be completed ({reason})."
    error = {"message": text, "domain": domain, "reason": reason}
    return {"error": {"code": status, "message": text, "errors": [error]}}


def answer_inputs() -> dict[str, dict[str, Any]]:
    """The inputs of ``answers.json``: ``parse`` cases (an adapter and a payload) and ``http``
    cases (an official provider and its answer's status, headers and body)."""
    reset = str(int(ANSWERS_NOW) + 1200)
    x_window = {"x-rate-limit-limit": "40000", "x-rate-limit-remaining": "39999"}
    parse = {
        "twitter241 suspended, user.result (shared payload)": load_payload("twitter-suspended"),
        "twitter241 suspended, user_result_by_screen_name": {
            "result": {"data": {"user_result_by_screen_name": {"result": _UNAVAILABLE}}}
        },
        "twitter241 withheld, data unwrapped": {
            "data": {"user_result_by_screen_name": {"result": {
                "__typename": "UserUnavailable", "unavailable_reason": "Withheld"}}}
        },
        "twitter241 unavailable, no reason": {
            "result": {"data": {"user_result_by_screen_name": {
                "result": {"__typename": "UserUnavailable"}}}}
        },
    }  # fmt: skip
    http = {
        "youtube 403 rateLimitExceeded": (
            "youtube-data-api", 403, {}, _google(403, "rateLimitExceeded")),
        "youtube 403 userRateLimitExceeded": (
            "youtube-data-api", 403, {"Retry-After": "5"}, _google(403, "userRateLimitExceeded")),
        "youtube 403 quotaExceeded": (
            "youtube-data-api", 403, {}, load_payload("youtube-dataapi-quota")),
        "youtube 403 dailyLimitExceeded": (
            "youtube-data-api", 403, {}, _google(403, "dailyLimitExceeded")),
        "youtube 403 forbidden": ("youtube-data-api", 403, {}, _google(403, "forbidden", "global")),
        "x 429 UsageCapExceeded with reset": (
            "x-api", 429, {**x_window, "x-rate-limit-reset": reset}, _USAGE_CAP),
        "x 429 UsageCapExceeded without reset": ("x-api", 429, x_window, _USAGE_CAP),
        "x 429 usage-capped in errors": ("x-api", 429, {}, {"errors": [{
            "title": "UsageCapExceeded", "type": _USAGE_CAP["type"]}]}),
        "x 429 window spent": ("x-api", 429, {
            "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset},
            {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
             "status": 429}),
        "x 401": ("x-api", 401, {}, {"title": "Unauthorized", "type": "about:blank",
                                     "status": 401, "detail": "Unauthorized"}),
    }  # fmt: skip
    cases: dict[str, dict[str, Any]] = {}
    for label, payload in parse.items():
        cases[label] = {"kind": "parse", "adapter": "twitter", "payload": payload}
    for label, (provider, status, headers, body) in http.items():
        cases[label] = {"kind": "http", "provider": provider, "status": status}
        cases[label].update(headers=headers, body=body)
    return cases


def answer_outcome(case: dict[str, Any]) -> dict[str, Any]:
    """What an ``answers.json`` input gives: a parse's outcome (with a not-found's ``reason``),
    or the error an official answer is, with its ``retry_after`` and its reset in seconds."""
    if case["kind"] == "parse":
        try:
            profile = ADAPTERS[case["adapter"]].parse("someone", copy.deepcopy(case["payload"]))
        except ProviderError as error:
            return {"error": type(error).__name__, "reason": getattr(error, "reason", None)}
        return attrs.asdict(profile)
    return _http_outcome(case)


def _http_outcome(case: dict[str, Any]) -> dict[str, Any]:
    from hyperbuds_sync.transport._official import OfficialQuota
    from hyperbuds_sync.transport._verdict import Answer, official_verdict

    adapter = PROVIDERS_NEW[case["provider"]]
    request = adapter.request("mayacooks")
    body = json.dumps(case["body"]).encode()
    facts = {"platform": adapter.platform, "host": request.host, "username": "mayacooks"}
    facts.update(status=case["status"], request_id=None)
    answer = Answer(case["status"], case["headers"], body, json.loads(body), True, facts)
    quota = OfficialQuota(clock=lambda: ANSWERS_NOW)
    try:
        official_verdict(request, answer, quota, 4 * 1024 * 1024)
    except ProviderError as error:
        reset_at = getattr(error, "reset_at", None)
        return {
            "error": type(error).__name__,
            "retry_after": getattr(error, "retry_after", None),
            "reset_in": None if reset_at is None else reset_at.timestamp() - ANSWERS_NOW,
        }
    return {"error": None}


def record() -> dict[str, Any]:
    """Every golden file's content, by file name."""
    files: dict[str, Any] = {}
    samples = provider_payloads()
    files["payloads.json"] = {
        name: {path.stem: outcome(a, load_payload(path.name)) for path in samples}
        for name, a in ADAPTERS.items()
    }
    for platform, name in USUAL:
        adapter = ADAPTERS[platform]
        base = outcome(adapter, load_payload(name))
        changed: dict[str, Any] = {}
        count = 0
        for label, variant in variants(load_payload(name)):
            count += 1
            diff = delta(base, outcome(adapter, variant))
            if diff:
                changed[label] = diff
        files[f"variants-{name}.json"] = {"base": base, "count": count, "changed": changed}
    for provider, name in USUAL_NEW:
        files[f"variants-{provider}.json"] = variants_file(
            PROVIDERS_NEW[provider], load_answer(name)
        )
    files["providers.json"] = {
        provider: {
            **{path.stem: outcome(a, load_payload(path.name)) for path in samples},
            **{name: outcome(a, load_answer(name)) for p, name in USUAL_NEW if p == provider},
        }
        for provider, a in PROVIDERS_NEW.items()
    }
    files["emulator.json"] = {
        name: [
            {"payload": answer, "outcome": outcome(a, answer)}
            for answer in [*emulator_answers(name), PROVIDERS[host_of(name)].not_found]
        ]
        for name, a in ADAPTERS.items()
    }
    files["tables.json"] = {
        f"{label} {target}": {
            "adapter": target,
            "payload": payload,
            "outcome": outcome(ADAPTERS[target], copy.deepcopy(payload)),
        }
        for label, target, payload in [*table_cases(), *break_cases()]
    }
    files["answers.json"] = {
        label: {**case, "outcome": answer_outcome(case)} for label, case in answer_inputs().items()
    }
    return files


def dump(content: Any) -> str:
    """A golden file's text: sorted keys, one level of indentation per nesting."""
    return json.dumps(content, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=True) + "\n"


def main(names: list[str]) -> None:
    """Write every golden file, or only those ``names`` gives (``answers.json``, ...)."""
    GOLDEN.mkdir(exist_ok=True)
    files = record()
    unknown = set(names) - set(files)
    if unknown:
        raise SystemExit(f"no such golden file: {', '.join(sorted(unknown))}")
    for name, content in files.items():
        if names and name not in names:
            continue
        (GOLDEN / name).write_text(dump(content), encoding="utf-8")
        print(f"wrote tests/golden/{name}")


if __name__ == "__main__":
    main(sys.argv[1:])
