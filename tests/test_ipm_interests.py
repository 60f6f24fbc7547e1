"""iMIS remote interests (IPM, seed 004) as interest-based target groups, over the real ODBC
driver and the iMIS sandbox."""

from __future__ import annotations

import pytest
from imis_fixtures import imis, imis_template  # noqa: F401
from mirror_helpers import rows

from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

KEY = "ud:Informz_Preferences.NEWSLETTER"


def service_for(mirror, credentials, clock, imis, interests):  # noqa: F811
    settings = imis.bridge_settings(remote_interests=interests)
    settings.pop("accepted_statuses"), settings.pop("email_source")
    credentials.set(save_bridge(mirror, BridgeSpec("imis", "iMIS", settings), clock),
                    imis.password)
    return SyncService(mirror, credentials, clock)


def test_a_chosen_checkbox_is_an_interest_group_of_the_checked(mirror, credentials, clock,
                                                                 imis):  # noqa: F811
    """Seed 004: "Checked fields ultimately become interest-based target groups once in
    Informz"; "Informz admins decide which iMIS user-defined checkbox fields appear"."""
    service = service_for(mirror, credentials, clock, imis, ["informz_preferences.newsletter"])
    assert service.run(SyncRequest("iMIS", SyncKind.REFRESH_LIST)).ok
    assert rows(mirror, "SELECT kind, folder FROM target_group WHERE remote_key = :k",
                k=KEY) == [("interest", "iMIS Remote Interests")]
    assert rows(mirror, "SELECT COUNT(*) FROM target_group WHERE kind = 'interest'") == [(1,)]
    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=KEY))
    assert result.ok, result.error
    checked = {i for (i,) in imis.execute(
        "SELECT ID FROM Informz_Preferences WHERE NEWSLETTER = 1")}
    assert result.counts.fetched == len(checked) > 0
    linked = {a for (a,) in rows(mirror, "SELECT l.ams_id FROM membership m JOIN "
                                         "subscriber_link l ON l.subscriber_id = m.subscriber_id")}
    assert linked and linked <= checked
    imis.execute("UPDATE Informz_Preferences SET NEWSLETTER = 0 WHERE ID = ?",
                 (sorted(linked)[0],))
    again = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=KEY))
    assert again.counts.removed == 1


@pytest.mark.parametrize("chosen", ["Informz_Preferences.NO_SUCH_BOX", "Name.EMAIL",
                                    'x"; DROP TABLE Name--.y'])
def test_a_field_that_is_not_a_ud_checkbox_is_refused(mirror, credentials, clock, imis,  # noqa: F811
                                                      chosen):
    service = service_for(mirror, credentials, clock, imis, [chosen])
    result = service.run(SyncRequest("iMIS", SyncKind.REFRESH_LIST))
    assert result.status == "failed"
    assert result.error.endswith("is not a checkbox field of a UD table in iMIS; check the "
                                 "bridge's remote interests.")
    assert imis.execute("SELECT COUNT(*) FROM Name")[0][0] > 0  # nothing was dropped


def test_the_admin_sees_the_checkboxes_to_choose_from(mirror, credentials, clock, imis):  # noqa: F811
    """Seed 004: "Because there are many potential remote interests from iMIS, the Informz
    admin selects these interests appropriate for use in Informz"."""
    from informz_console.sync.bridges import discover_interests

    service_for(mirror, credentials, clock, imis, [])
    found = discover_interests(mirror, "iMIS", credentials)
    assert "Informz_Preferences.NEWSLETTER" in found
    assert all("." in f and not f.endswith(".ID") for f in found)
