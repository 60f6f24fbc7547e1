"""Stale MKT lists (seed 001: "Data pulled into Informz will be up to date as of the last list
refresh"): a list not regenerated within its regeneration frequency is stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from informz_console.domain.freshness import frequency_period, is_stale

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("frequency", "days"),
    [("Daily", 1), ("Weekly", 7), ("Monthly", 31), ("Quarterly", 92), ("Yearly", 366)],
)
def test_each_frequency_is_fresh_up_to_its_period_and_stale_just_after(frequency, days):
    period = timedelta(days=days)
    assert not is_stale(frequency, NOW, NOW)
    assert not is_stale(frequency, NOW - period + SECOND, NOW)
    assert not is_stale(frequency, NOW - period, NOW)  # exactly the period: still within it
    assert is_stale(frequency, NOW - period - SECOND, NOW)
    assert is_stale(frequency, NOW - 2 * period, NOW)


def test_a_frequency_without_any_regeneration_is_stale():
    # seed 001: "The MKT 510 job must run initially (prior to the MKT 600 job)"
    assert is_stale("Weekly", None, NOW)


@pytest.mark.parametrize("frequency", [None, "", "   ", "Ad hoc", "Whenever", "None"])
def test_no_or_an_unknown_frequency_is_never_stale(frequency):
    assert not is_stale(frequency, None, NOW)
    assert not is_stale(frequency, NOW - timedelta(days=4000), NOW)
    assert frequency_period(frequency) is None


@pytest.mark.parametrize(
    ("text", "days"),
    [(" WEEKLY ", 7), ("daily", 1), ("Semi-Annually", 184), ("bi_weekly", 14), ("Annually", 366)],
)
def test_frequency_names_match_without_case_spaces_or_hyphens(text, days):
    assert frequency_period(text) == timedelta(days=days)


def test_naive_datetimes_are_utc_and_a_future_regeneration_is_fresh():
    naive_now = NOW.replace(tzinfo=None)
    assert is_stale("Daily", naive_now - timedelta(days=2), NOW)
    assert not is_stale("Daily", NOW - timedelta(hours=2), naive_now)
    assert not is_stale("Daily", NOW + timedelta(days=3), NOW)  # clock skew
    eastern = timezone(timedelta(hours=-5))
    assert not is_stale("Daily", (NOW - timedelta(hours=23)).astimezone(eastern), NOW)
    assert is_stale("Daily", (NOW - timedelta(hours=25)).astimezone(eastern), NOW)


@given(
    frequency=st.sampled_from(["Daily", "Weekly", "Monthly", "Quarterly", "Yearly", "Ad hoc"]),
    age_s=st.integers(min_value=-(10**6), max_value=10**9),
    later_s=st.integers(min_value=0, max_value=10**8),
)
def test_once_stale_a_list_stays_stale_until_regenerated(frequency, age_s, later_s):
    regenerated = NOW - timedelta(seconds=age_s)
    if is_stale(frequency, regenerated, NOW):
        assert is_stale(frequency, regenerated, NOW + timedelta(seconds=later_s))
