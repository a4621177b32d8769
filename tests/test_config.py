"""Settings from the environment."""

from __future__ import annotations

from hyperbuds_sync.config import DEFAULT_API_URL, Settings


def test_defaults_with_an_empty_environment() -> None:
    s = Settings.from_env({})
    assert s.rapidapi_keys == ()
    assert s.api_url == DEFAULT_API_URL
    assert s.token is None
    assert s.rapidapi_endpoint is None
    assert s.redis_url is None


def test_rapidapi_key_falls_back_to_the_old_frontend_variable() -> None:
    assert Settings.from_env({"NEXT_PUBLIC_RAPIDAPI_KEY": "k1"}).rapidapi_keys == ("k1",)
    both = {"NEXT_PUBLIC_RAPIDAPI_KEY": "old", "RAPIDAPI_KEY": "new"}
    assert Settings.from_env(both).rapidapi_keys == ("new",)


def test_rapidapi_keys_is_a_comma_separated_list_without_duplicates() -> None:
    env = {"RAPIDAPI_KEYS": " a, b ,,a ", "RAPIDAPI_KEY": "c"}
    assert Settings.from_env(env).rapidapi_keys == ("a", "b", "c")


def test_every_variable_is_read() -> None:
    env = {
        "HYPERBUDS_API_URL": "http://127.0.0.1:9/api/v1",
        "HYPERBUDS_TOKEN": "tok-123",
        "HYPERBUDS_RAPIDAPI_ENDPOINT": "http://127.0.0.1:8",
        "HYPERBUDS_REDIS_URL": "redis://:pw@127.0.0.1:6379/0",
    }
    s = Settings.from_env(env)
    assert s.api_url == "http://127.0.0.1:9/api/v1"
    assert s.token == "tok-123"
    assert s.rapidapi_endpoint == "http://127.0.0.1:8"
    assert s.redis_url == "redis://:pw@127.0.0.1:6379/0"


def test_repr_shows_no_secret() -> None:
    s = Settings.from_env(
        {
            "RAPIDAPI_KEYS": "secret-key-1,secret-key-2",
            "HYPERBUDS_TOKEN": "tok-123",
            "HYPERBUDS_REDIS_URL": "redis://:pw@h/0",
        }
    )
    text = repr(s)
    assert "secret-key" not in text
    assert "tok-123" not in text
    assert "pw@" not in text
    assert "<2 keys>" in text


def test_chains_endpoints_and_official_credentials_from_the_environment() -> None:
    import pytest

    from hyperbuds_sync.config import Settings as S
    from hyperbuds_sync.errors import ConfigError

    env = S.from_env(
        {
            "HYPERBUDS_PROVIDERS": "Twitch=twitch-scraper2, twitch-helix;youtube=youtube-data-api",
            "HYPERBUDS_ENDPOINTS": "api.twitch.tv=http://127.0.0.1:9000/,www.googleapis.com=http://h",
            "YOUTUBE_API_KEY": "yt-secret-key-0123456789",
            "X_BEARER_TOKEN": "x-secret-token-0123456789",
        }
    )
    assert env.providers == {
        "twitch": ("twitch-scraper2", "twitch-helix"),
        "youtube": ("youtube-data-api",),
    }
    assert env.endpoints == {
        "api.twitch.tv": "http://127.0.0.1:9000",
        "www.googleapis.com": "http://h",
    }
    assert "yt-secret" not in repr(env)
    assert "x-secret" not in repr(env)
    for bad in ({"HYPERBUDS_PROVIDERS": "twitch"}, {"HYPERBUDS_ENDPOINTS": "api.x.com=ftp://x"}):
        with pytest.raises(ConfigError):
            S.from_env(bad)
