"""The trigger rules at their edges (domain.triggers): login, nightly, weekend, compounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from informz_console.domain.triggers import (
    expand_mailing_groups,
    login_refresh_due,
    nightly_eligible,
    nightly_reason,
    nightly_run_due,
    weekend_full_sync_due,
)

NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # a Monday
S = timedelta(seconds=1)


def _login(kind, last, *, active=True, staff=False):  # type: ignore[no-untyped-def]
    return login_refresh_due(kind, last, NOW, active=active, user_is_staff=staff)


def test_personify_login_refresh_at_ten_minutes():
    """Seed 001: "A login sync ... occurs when ten minutes have elapsed since the last sync of
    Personify360's MKT Lists and the list of personalization field names." """
    assert _login("personify", NOW - timedelta(minutes=10))
    assert not _login("personify", NOW - timedelta(minutes=9, seconds=59))
    assert _login("personify", None)  # never refreshed
    assert _login("personify", NOW - timedelta(minutes=10), staff=True)  # no staff rule


def test_netforum_login_refresh_at_thirty_minutes_active_and_not_staff():
    """Seed 003: "A sync will occur if thirty or more minutes have passed ... if and only if
    the integration is active and the user is not an Informz staff person." """
    assert _login("netforum", NOW - timedelta(minutes=30))
    assert not _login("netforum", NOW - timedelta(minutes=30) + S)
    assert _login("netforum", None)
    assert not _login("netforum", NOW - timedelta(hours=5), active=False)
    assert not _login("netforum", NOW - timedelta(hours=5), staff=True)


@pytest.mark.parametrize("kind", ["imis", "idss"])
def test_no_login_refresh_for_imis_and_idss(kind):
    """DOMAIN.md "Triggers and windows": login is "—" for iMIS and iDSS."""
    assert not _login(kind, None)


def _nightly(kind, created=None, modified=None, used=None, compound=None):  # type: ignore[no-untyped-def]
    return nightly_eligible(kind, created, modified, used, compound, NOW)


def test_imis_nightly_created_within_seven_days_or_used_within_ninety():
    """Seed 000: "It syncs iMIS IQA groups that have been created in the last seven days, or
    that were used in an emailing in the last 90 days." """
    assert _nightly("imis", created=NOW - timedelta(days=7))
    assert not _nightly("imis", created=NOW - timedelta(days=7) - S)
    assert _nightly("imis", used=NOW - timedelta(days=90))
    assert not _nightly("imis", used=NOW - timedelta(days=90) - S)
    assert not _nightly("imis", modified=NOW)  # iMIS: created, not modified
    assert not _nightly("imis", compound=NOW)  # the compound rule is netFORUM's
    assert not _nightly("imis")


def test_personify_nightly_modified_within_seven_days_or_used_within_ninety():
    """Seed 001: "refreshes groups target groups modified within the past seven days or used
    in a mailing within the past 90 days." """
    assert _nightly("personify", modified=NOW - timedelta(days=7))
    assert not _nightly("personify", modified=NOW - timedelta(days=7) - S)
    assert _nightly("personify", used=NOW - timedelta(days=90))
    assert not _nightly("personify", used=NOW - timedelta(days=90) - S)
    assert not _nightly("personify", created=NOW)  # Personify: modified, not created


def test_netforum_nightly_created_used_or_in_a_used_compound():
    """Seed 003: "The list was created in the past seven days. The list was used in a mailing
    in the past 90 days. The list was part of a compound group used in the past 90 days." """
    assert _nightly("netforum", created=NOW - timedelta(days=7))
    assert not _nightly("netforum", created=NOW - timedelta(days=7) - S)
    assert _nightly("netforum", used=NOW - timedelta(days=90))
    assert _nightly("netforum", compound=NOW - timedelta(days=90))
    assert not _nightly("netforum", compound=NOW - timedelta(days=90) - S)
    assert not _nightly("netforum", modified=NOW)


def test_idss_has_no_nightly():
    """DOMAIN.md (iDSS): "distribution lists sync to interest-based target groups in real
    time"; the nightly column is "—"."""
    assert not _nightly("idss", created=NOW, modified=NOW, used=NOW, compound=NOW)


def test_nightly_reason_says_why():
    """Seed 000: "used in an emailing in the last 90 days" — the reason names the use."""
    assert (
        nightly_reason("imis", None, None, NOW - timedelta(days=12, hours=3), None, NOW)
        == "used in a mailing 12 days ago"
    )
    assert (
        nightly_reason("netforum", None, None, None, NOW - timedelta(days=1), NOW)
        == "part of a compound group used in a mailing 1 day ago"
    )


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        nightly_eligible("imis", datetime(2026, 1, 1), None, None, None, NOW)


def test_nightly_runs_once_per_eastern_night():
    """Seed 000: "an automated process that runs every night" — once a night (ours: 18:00 to
    06:00 US Eastern)."""
    night = datetime(2026, 11, 3, 7, 0, tzinfo=UTC)  # 02:00 EST
    assert nightly_run_due(night, None)
    assert not nightly_run_due(night, night - timedelta(hours=3))  # 21:00 EST the same night
    assert nightly_run_due(night, night - timedelta(hours=9))  # 17:00 EST: the day before
    assert not nightly_run_due(datetime(2026, 11, 3, 11, 0, tzinfo=UTC), None)  # 06:00 EST
    assert nightly_run_due(datetime(2026, 11, 3, 10, 59, 59, tzinfo=UTC), None)  # 05:59:59


def test_weekend_sync_sunday_morning_edges():
    """Seed 000: "Weekend Sync – This is an automated process, that Informz runs, each Sunday
    morning. This does a full sync on all iMIS target groups." (ours: 00:00-12:00 Eastern)"""
    sunday_1159 = datetime(2026, 10, 25, 15, 59, tzinfo=UTC)  # 11:59 EDT
    assert weekend_full_sync_due(sunday_1159, None)
    assert not weekend_full_sync_due(sunday_1159 + timedelta(minutes=1), None)  # 12:00 EDT
    assert weekend_full_sync_due(datetime(2026, 10, 25, 4, 0, tzinfo=UTC), None)  # 00:00 EDT
    assert not weekend_full_sync_due(datetime(2026, 10, 25, 3, 59, tzinfo=UTC), None)  # Sat
    assert not weekend_full_sync_due(NOW, None)  # Monday


def test_weekend_sync_once_per_sunday():
    """Seed 000: "each Sunday morning" — one run per Sunday."""
    sunday = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert not weekend_full_sync_due(sunday, sunday - timedelta(hours=6))  # 02:00 EDT today
    assert weekend_full_sync_due(sunday, sunday - timedelta(days=7))  # last Sunday


def test_weekend_window_follows_daylight_saving():
    """Seed 000: "each Sunday morning" — in Eastern time on both sides of a DST change
    (2026-11-01: 02:00 EDT becomes 01:00 EST; 2026-03-08: 02:00 EST becomes 03:00 EDT)."""
    fall_back = datetime(2026, 11, 1, tzinfo=UTC)
    assert weekend_full_sync_due(fall_back.replace(hour=16, minute=59), None)  # 11:59 EST
    assert not weekend_full_sync_due(fall_back.replace(hour=17), None)  # 12:00 EST
    spring = datetime(2026, 3, 8, tzinfo=UTC)
    assert not weekend_full_sync_due(spring.replace(hour=4, minute=59), None)  # Sat 23:59 EST
    assert weekend_full_sync_due(spring.replace(hour=5), None)  # Sun 00:00 EST
    assert weekend_full_sync_due(spring.replace(hour=15, minute=59), None)  # 11:59 EDT
    assert not weekend_full_sync_due(spring.replace(hour=16), None)  # 12:00 EDT


def test_compound_groups_expand_recursively_in_order_once():
    """Seed 003: "The list was part of a compound group" — a mailing to a compound group
    reaches its member lists; each list once, in order."""
    compounds = {10: [1, 2, 11], 11: [2, 3]}
    assert expand_mailing_groups([4, 10, 1, 3], compounds) == [4, 1, 2, 3]
    assert expand_mailing_groups([20], {20: []}) == []


def test_compound_cycle_is_safe():
    """Seed 003: "part of a compound group" — a compound that contains itself (directly or
    through another) is visited once."""
    compounds = {10: [1, 11], 11: [2, 10], 12: [12, 3]}
    assert expand_mailing_groups([10, 12], compounds) == [1, 2, 3]
