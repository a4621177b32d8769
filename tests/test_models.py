"""Records: validation, the camelCase round trip, the sync body."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from hyperbuds_sync.errors import InvalidStats
from hyperbuds_sync.models import (
    ManualEntry,
    PlatformData,
    ProfileStats,
    SyncOutcome,
    SyncPayload,
    SyncReport,
    SyncResult,
    from_dict,
    to_dict,
)

WHEN = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def sample() -> PlatformData:
    return PlatformData(
        platform="tiktok",
        username="mayacooks",
        display_name="Maya Cooks",
        profile_image="https://img.example/a.jpg",
        bio="hi",
        verified=True,
        followers=1204377,
        following=311,
        total_content=842,
        total_engagement=48571902.0,
        average_engagement=57686.34,
        last_fetched=WHEN,
        raw={"statusCode": 0},
    )


def test_to_dict_uses_the_old_frontend_camel_case_shape() -> None:
    out = to_dict(sample())
    assert out["displayName"] == "Maya Cooks"
    assert out["profileImage"] == "https://img.example/a.jpg"
    assert out["totalContent"] == 842
    assert out["totalEngagement"] == 48571902.0
    assert out["averageEngagement"] == 57686.34
    assert out["lastFetched"] == "2026-11-24T09:30:00+00:00"
    assert "display_name" not in out


def test_from_dict_round_trips() -> None:
    data = sample()
    again = from_dict(to_dict(data))
    assert again == data
    assert again.last_fetched.tzinfo is not None


def test_from_dict_accepts_a_z_suffix_and_naive_times_as_utc() -> None:
    out = to_dict(sample())
    out["lastFetched"] = "2026-11-24T09:30:00Z"
    assert from_dict(out).last_fetched == WHEN
    out["lastFetched"] = "2026-11-24T09:30:00"
    assert from_dict(out).last_fetched == WHEN


def test_raw_stays_out_of_equality_and_repr() -> None:
    a = sample()
    b = PlatformData(**{**{f: getattr(a, f) for f in a.__slots__ if f != "__weakref__"}, "raw": {}})
    assert a == b
    assert "statusCode" not in repr(a)


def test_last_fetched_defaults_to_aware_utc_now() -> None:
    data = PlatformData("twitch", "x")
    assert data.last_fetched.tzinfo is UTC
    assert data.age.total_seconds() >= 0


@pytest.mark.parametrize(
    ("followers", "engagement"),
    [
        (-1, 1.0),
        (1.5, 1.0),
        (True, 1.0),
        ("10", 1.0),
        (10, math.nan),
        (10, math.inf),
        (10, -0.5),
        (10, "3"),
        (None, None),
    ],
)
def test_sync_payload_refuses_bad_numbers(followers: object, engagement: object) -> None:
    with pytest.raises(InvalidStats):
        SyncPayload(followers=followers, engagement=engagement)  # type: ignore[arg-type]


def test_sync_payload_body_leaves_out_missing_fields() -> None:
    assert SyncPayload(followers=5, engagement=2).to_json() == {"followers": 5, "engagement": 2.0}
    assert SyncPayload(followers=5).to_json() == {"followers": 5}
    assert isinstance(SyncPayload(followers=5, engagement=2).to_json()["engagement"], float)


def test_sync_payload_of_fetched_data_sends_average_engagement() -> None:
    payload = SyncPayload.of(sample())
    assert payload.to_json() == {"followers": 1204377, "engagement": 57686.34}


def test_manual_entry_is_validated_and_converts() -> None:
    with pytest.raises(InvalidStats):
        ManualEntry(followers=-3)
    with pytest.raises(InvalidStats):
        ManualEntry(followers=3, engagement=math.nan)
    assert SyncPayload.of(ManualEntry(1000, 4.5)).to_json() == {
        "followers": 1000,
        "engagement": 4.5,
    }


def test_report_ok_when_one_platform_succeeded() -> None:
    result = SyncResult("twitch", True, "ok", ProfileStats())
    report = SyncReport(
        {
            "twitch": SyncOutcome("twitch", result=result),
            "tiktok": SyncOutcome("tiktok", error=InvalidStats("bad")),
        }
    )
    assert report.ok
    assert list(report.succeeded) == ["twitch"]
    assert list(report.failed) == ["tiktok"]
    assert report["tiktok"].error is not None
    assert not SyncReport({"tiktok": SyncOutcome("tiktok", error=InvalidStats("x"))}).ok


# --- RawAnswer: the answer a record keeps, as bytes ---------------------------------------------


def test_raw_answer_reads_as_the_decoded_object() -> None:
    from hyperbuds_sync.models import RawAnswer

    raw = RawAnswer(b'{"user": {"id": 7}, "ok": true}')
    assert raw == {"user": {"id": 7}, "ok": True}
    assert raw["user"]["id"] == 7
    assert sorted(raw) == ["ok", "user"]
    assert dict(raw) == {"user": {"id": 7}, "ok": True}
    assert raw.bodies == (b'{"user": {"id": 7}, "ok": true}',)
    assert raw.answer() == {"user": {"id": 7}, "ok": True}


def test_raw_answer_of_two_answers_or_a_list_reads_as_value() -> None:
    from hyperbuds_sync.models import RawAnswer

    assert RawAnswer(b"[1, 2]") == {"value": [1, 2]}
    two = RawAnswer(b'{"a": 1}', b'{"b": 2}')
    assert two == {"value": [{"a": 1}, {"b": 2}]}
    assert two.answer() == [{"a": 1}, {"b": 2}]
    with pytest.raises(ValueError, match="at least one"):
        RawAnswer()


def test_raw_answer_pickles_and_keeps_its_bytes() -> None:
    import pickle

    from hyperbuds_sync.models import RawAnswer

    raw = RawAnswer(b'{"a": [1, 2]}')
    back = pickle.loads(pickle.dumps(raw))  # noqa: S301 - our own bytes
    assert back == {"a": [1, 2]}
    assert back.bodies == raw.bodies
    data = PlatformData(platform="tiktok", username="x", raw=raw)
    assert pickle.loads(pickle.dumps(data)).raw == {"a": [1, 2]}  # noqa: S301
    assert data.to_dict()["raw"] == {"a": [1, 2]}
