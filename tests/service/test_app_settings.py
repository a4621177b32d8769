"""ServiceSettings from the environment: what each variable takes, and a malformed one named
without its value."""

from __future__ import annotations

import pytest

from hyperbuds_sync import ConfigError
from hyperbuds_sync.service import RateLimit, ServiceSettings
from hyperbuds_sync.service._settings import DEFAULT_ANONYMOUS_LIMIT

KEY_A = "alpha-secret-key-0001"


def test_defaults() -> None:
    settings = ServiceSettings.from_env({})
    assert settings.keys == {}
    assert settings.origins == ()
    assert settings.formula is None
    assert settings.rate_limit is None
    assert settings.anonymous_rate_limit == DEFAULT_ANONYMOUS_LIMIT == RateLimit(10.0, 20)


def test_every_variable_read() -> None:
    settings = ServiceSettings.from_env(
        {
            "HYPERBUDS_SERVICE_KEYS": f" web:{KEY_A} , node:other-key-0002",
            "HYPERBUDS_SERVICE_ORIGINS": "https://app.example/, http://localhost:3000",
            "HYPERBUDS_FORMULA": "rate",
            "HYPERBUDS_SERVICE_RATE_LIMIT": "5/9",
            "HYPERBUDS_SERVICE_ANONYMOUS_RATE_LIMIT": "off",
        }
    )
    assert dict(settings.keys) == {"web": KEY_A, "node": "other-key-0002"}
    assert settings.key_names == ("node", "web")
    assert settings.origins == ("https://app.example", "http://localhost:3000")
    assert settings.formula == "rate"
    assert settings.rate_limit == RateLimit(5.0, 9)
    assert settings.anonymous_rate_limit is None
    assert KEY_A not in repr(settings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", RateLimit(10, 20)),
        ("0.5", RateLimit(0.5, 1)),
        ("2/7", RateLimit(2, 7)),
        ("OFF", None),
    ],
)
def test_rate_limit_forms(text: str, expected: RateLimit | None) -> None:
    assert RateLimit.parse(text, "X") == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HYPERBUDS_SERVICE_KEYS", f"web{KEY_A}"),
        ("HYPERBUDS_SERVICE_KEYS", f"web:{KEY_A},web:{KEY_A}x"),
        ("HYPERBUDS_SERVICE_KEYS", f":{KEY_A}"),
        ("HYPERBUDS_SERVICE_ORIGINS", f"ftp://{KEY_A}"),
        ("HYPERBUDS_SERVICE_ORIGINS", f"https://a.example/{KEY_A}"),
        ("HYPERBUDS_FORMULA", KEY_A),
        ("HYPERBUDS_SERVICE_RATE_LIMIT", KEY_A),
        ("HYPERBUDS_SERVICE_RATE_LIMIT", "-1"),
        ("HYPERBUDS_SERVICE_ANONYMOUS_RATE_LIMIT", "5/0"),
        ("HYPERBUDS_SERVICE_ANONYMOUS_RATE_LIMIT", "nan"),
    ],
)
def test_a_malformed_variable_is_named_never_shown(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ServiceSettings.from_env({variable: value})
    assert variable in str(caught.value)
    assert KEY_A not in str(caught.value)
    assert value not in str(caught.value)
