"""Records to data tools: to_dict / to_record methods, to_pandas, numbers from numpy and pandas."""

from __future__ import annotations

import builtins
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hyperbuds_sync import (
    ConfigError,
    InvalidInput,
    InvalidStats,
    ManualEntry,
    PlatformData,
    ProfileStats,
    QuotaStatus,
    SyncOutcome,
    SyncPayload,
    SyncReport,
    SyncResult,
    UsernameNotFound,
    from_dict,
    to_dict,
    to_pandas,
)
from hyperbuds_sync.dataframes import records
from hyperbuds_sync.history import Snapshot
from hyperbuds_sync.history._types import growth_of

WHEN = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def data(username: str = "mayacooks", followers: int = 1_204_377) -> PlatformData:
    return PlatformData(
        "tiktok", username, "Maya", followers=followers, average_engagement=2.5,
        last_fetched=WHEN, raw={"secret_shape": 1},
    )  # fmt: skip


def report() -> SyncReport:
    ok = SyncResult("tiktok", True, "tiktok stats synced", ProfileStats(total_followers=9))
    return SyncReport(
        {
            "tiktok": SyncOutcome("tiktok", result=ok, data=data()),
            "twitch": SyncOutcome("twitch", error=UsernameNotFound("no such twitch user")),
            "instagram": SyncOutcome("instagram", result=ok, data=ManualEntry(7, 1.5)),
        }
    )


def test_to_dict_method_is_the_function() -> None:
    assert data().to_dict() == to_dict(data())
    assert data().to_dict()["displayName"] == "Maya"
    assert from_dict(data().to_dict()) == data()


def test_to_record_is_snake_case_with_real_datetimes_and_no_raw() -> None:
    row = data().to_record()
    assert row["display_name"] == "Maya"
    assert row["last_fetched"] == WHEN
    assert "raw" not in row
    assert "displayName" not in row


def test_to_pandas_of_records_has_snake_case_and_datetime64_columns() -> None:
    frame = to_pandas([data("a", 1), data("b", 2)])
    assert list(frame["username"]) == ["a", "b"]
    assert frame["followers"].dtype == np.int64
    assert isinstance(frame["last_fetched"].dtype, pd.DatetimeTZDtype)
    assert frame["last_fetched"].iloc[0] == pd.Timestamp(WHEN)
    assert "raw" not in frame.columns
    assert all(c == c.lower() for c in frame.columns)


def test_to_pandas_of_a_report_is_one_row_per_platform() -> None:
    frame = to_pandas(report()).set_index("platform")
    assert list(frame.index) == ["tiktok", "twitch", "instagram"]
    assert bool(frame.loc["tiktok", "ok"])
    assert not bool(frame.loc["twitch", "ok"])
    assert frame.loc["twitch", "error_type"] == "UsernameNotFound"
    assert frame.loc["instagram", "engagement"] == 1.5
    assert isinstance(frame["last_fetched"].dtype, pd.DatetimeTZDtype)
    assert frame["last_fetched"].isna().tolist() == [False, True, True]


def test_to_pandas_of_quota_status_mapping() -> None:
    frame = to_pandas({"h": QuotaStatus("h", 100, 40, WHEN), "g": QuotaStatus("g")})
    assert list(frame["host"]) == ["h", "g"]
    assert isinstance(frame["reset_at"].dtype, pd.DatetimeTZDtype)


class Row:
    """Any object with to_record() (history's Snapshot and Growth will be such)."""

    def to_record(self) -> dict[str, Any]:
        return {"day": WHEN, "followers_gained": 3}


def test_any_object_with_to_record_is_a_row() -> None:
    frame = to_pandas([Row(), Row()])
    assert list(frame.columns) == ["day", "followers_gained"]
    assert frame["followers_gained"].sum() == 6
    assert len(to_pandas(Row())) == 1


def test_an_object_without_to_record_is_refused() -> None:
    with pytest.raises(InvalidInput, match="to_record"):
        records([data(), "mayacooks"])  # type: ignore[list-item]


def test_empty_input_gives_an_empty_frame() -> None:
    assert to_pandas([]).empty


def test_without_pandas_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pandas(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ConfigError, match=r"pip install \"hyperbuds-sync\[pandas\]\""):
        to_pandas([data()])


@pytest.mark.parametrize(
    ("followers", "engagement"),
    [
        (np.int64(5), np.float64(1.5)),
        (np.int32(5), np.float32(1.5)),
        (np.uint8(5), np.int64(1)),
        (pd.Series([5]).iloc[0], pd.Series([1.5]).iloc[0]),
    ],
)
def test_numbers_from_numpy_and_pandas_are_accepted_and_stored_plain(
    followers: Any, engagement: Any
) -> None:
    entry = ManualEntry(followers=followers, engagement=engagement)
    assert type(entry.followers) is int
    assert entry.followers == 5
    assert type(entry.engagement) is float
    assert entry.engagement == pytest.approx(float(engagement))
    body = SyncPayload.of(entry).to_json()
    assert type(body["followers"]) is int
    payload = SyncPayload(followers=np.int64(3))
    assert type(payload.followers) is int


@pytest.mark.parametrize(
    ("followers", "engagement"),
    [
        (np.bool_(True), None),
        (True, None),
        (np.int64(-1), None),
        (np.float64(5.0), None),  # a float is not a follower count
        (5, np.float64("nan")),
        (5, np.float64(-0.5)),
        (5, np.float64("inf")),
        (5, True),
    ],
)
def test_the_value_checks_still_hold_for_numpy_numbers(followers: Any, engagement: Any) -> None:
    with pytest.raises(InvalidStats):
        ManualEntry(followers=followers, engagement=engagement)


def test_nan_check_is_real() -> None:
    assert math.isnan(float(np.float64("nan")))


def test_from_dict_names_the_bad_field_in_an_invalid_input() -> None:
    good = to_dict(data())
    with pytest.raises(InvalidInput, match=r"followers: .*expected int") as caught:
        from_dict({**good, "followers": "many"})
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert not isinstance(caught.value, ExceptionGroup)
    with pytest.raises(InvalidInput, match=r"platform: required field missing"):
        from_dict({k: v for k, v in good.items() if k != "platform"})
    with pytest.raises(InvalidInput, match=r"lastFetched: .*datetime"):
        from_dict({**good, "lastFetched": "yesterday"})
    with pytest.raises(InvalidInput, match=r"takes a mapping"):
        from_dict(["not", "a", "dict"])  # type: ignore[arg-type]


# --- the history's snapshots and growth -----------------------------------------------------------


def _snapshots() -> list[Snapshot]:
    return [
        Snapshot(
            platform="tiktok",
            username="mayacooks",
            fetched_at=WHEN + timedelta(days=day),
            followers=1000 + 100 * day,
            average_engagement=None if day == 0 else 10.0 + day,
            raw={"secret_shape": 1},
        )
        for day in range(8)
    ]


def test_snapshots_to_pandas_one_row_each_with_datetimes_and_no_raw() -> None:
    frame = to_pandas(_snapshots())
    assert len(frame) == 8
    assert "raw" not in frame.columns
    assert str(frame["fetched_at"].dtype).startswith("datetime64")
    assert frame["followers"].tolist() == [1000 + 100 * d for d in range(8)]
    assert frame["fetched_at"].iloc[-1] == pd.Timestamp(WHEN + timedelta(days=7))
    assert set(frame.columns) >= {"platform", "username", "provider", "formula", "rounded"}


def test_growth_to_pandas_one_row_per_window_with_its_days() -> None:
    week = _snapshots()
    growth = growth_of("tiktok", "mayacooks", week[-1], {1: week[6], 7: week[0], 30: None})
    frame = to_pandas(growth)
    assert frame["days"].tolist() == [1, 7, 30]
    seven = frame.set_index("days").loc[7]
    assert seven["followers_change"] == 700
    assert seven["followers_change_pct"] == pytest.approx(70.0)
    assert seven["start_followers"] == 1000
    assert math.isnan(seven["engagement_change"])  # the start has no engagement
    assert str(frame["start_at"].dtype).startswith("datetime64")
    assert pd.isna(frame.set_index("days").loc[30, "start_at"])
    assert records(growth.windows) == [w.to_record() for w in growth.windows.values()]


def test_several_growths_to_pandas_one_row_per_creator() -> None:
    week = _snapshots()
    growth = growth_of("tiktok", "mayacooks", week[-1], {7: week[0]})
    empty = growth_of("tiktok", "nobody", None, {7: None})
    frame = to_pandas([growth, empty])
    assert frame["username"].tolist() == ["mayacooks", "nobody"]
    assert frame.loc[0, "followers_change_7d"] == 700
    assert frame.loc[0, "followers_change_pct_7d"] == pytest.approx(70.0)
    assert pd.isna(frame.loc[1, "followers"])
