"""netFORUM Pro end to end through the sync service and the real netFORUM sandbox (seed 003).

Every run goes through `SyncService` exactly as the console runs it: a bridge saved with
`save_bridge`, its password in the credential store, the connector built from both, and the
sandbox's xWeb SOAP server (rotating tokens, streamed GetQueryMembers) on 127.0.0.1.
"""

from __future__ import annotations

import pytest
from mirror_helpers import exclusion_of, member_ids, rows, snapshot, status_of
from netforum_fixtures import EVERYONE, netforum, netforum_template  # noqa: F401

from informz_console.domain.exclusions import ExclusionReason
from informz_console.domain.subscriber_status import REMOTE_UNSUBSCRIBE_REASON
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.connector_factory import build_connector
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

BRIDGE = "netFORUM"
BROKEN = {  # what each broken answer is called in the run's one sentence
    "drop": "closed the connection before finishing its answer to the GetQueryMembers call",
    "garbage": "answered the GetQueryMembers call with malformed XML",
}


@pytest.fixture
def service(mirror, credentials, clock, netforum):  # noqa: F811
    spec = BridgeSpec("netforum", BRIDGE, netforum.bridge_settings())
    credentials.set(save_bridge(mirror, spec, clock), netforum.password)
    service = SyncService(mirror, credentials, clock)
    assert service.run(SyncRequest(BRIDGE, SyncKind.REFRESH_LIST)).ok
    return service


def resync(service: SyncService, key: str, **kw):  # type: ignore[no-untyped-def]
    return service.run(SyncRequest(BRIDGE, SyncKind.RESYNC_GROUP, group=key), **kw)


def member_count(mirror, key: str) -> int:
    return rows(
        mirror,
        "SELECT COUNT(*) FROM membership m JOIN target_group g ON g.id = m.group_id "
        "WHERE g.remote_key = :k",
        k=key,
    )[0][0]


def one_sentence(message: str | None) -> bool:
    return (
        bool(message)
        and "\n" not in message
        and message.endswith(".")
        and (". " not in message.rstrip("."))
    )


# -- Refresh Target Group List does not update the counts ------------------------------------------


def test_refreshing_the_list_leaves_the_counts_a_resync_updates_them(service, mirror, netforum):  # noqa: F811
    """Seed 003: "User clicks Refresh Target Group List for a netFORUM Pro Target Group Folder:
    ... This does not update the counts for the list (updating list counts occurs by using the
    Resync Target Group menu option for a specific target group)"."""
    east = netforum.query_key("Chapter East")
    first = resync(service, east)
    assert first.ok, first.error
    count = member_count(mirror, east)
    assert count == first.counts.members_after > 0
    netforum.execute(
        "UPDATE Customer SET Chapter = 'East' WHERE RecordNumber IN (SELECT RecordNumber "
        "FROM Customer WHERE Chapter = 'West' ORDER BY RecordNumber LIMIT 60)"
    )
    before = snapshot(mirror)
    netforum.clear_calls()
    refreshed = service.run(SyncRequest(BRIDGE, SyncKind.REFRESH_LIST))
    assert refreshed.ok, refreshed.error
    assert ("ExecuteMethod", "GetQueryMembers") not in netforum.calls
    assert member_count(mirror, east) == count
    after = snapshot(mirror)
    for table in ("membership", "subscriber", "subscriber_link"):
        assert after[table] == before[table], table

    again = resync(service, east)
    assert again.ok, again.error
    assert member_count(mirror, east) == again.counts.members_after > count
    assert again.counts.added == again.counts.members_after - count


# -- Do Not Email ----------------------------------------------------------------------------------


def test_do_not_email_unsubscribes_from_remote_system_and_back(service, mirror, netforum):  # noqa: F811
    """Seed 003: a resync is "Retrieving the subscribers from a particular messaging job query";
    DOMAIN.md (netFORUM Pro): Do Not Email is netFORUM's unsubscribe flag ("unsubscribe sets Do
    Not Email = true, resubscribe sets it false"). Do Not Email true brings the customer over as
    "Unsubscribed from remote system", out of the group; false puts them back."""
    active = netforum.query_key("Active Members")
    assert resync(service, active).ok
    ams_id = member_ids(mirror, active)[0]
    netforum.execute("UPDATE Customer SET DoNotEmail = 1 WHERE CustomerKey = ?", (ams_id,))
    out = resync(service, active)
    assert out.ok, out.error
    assert status_of(mirror, ams_id) == ("remote_unsubscribed", REMOTE_UNSUBSCRIBE_REASON)
    assert ams_id not in member_ids(mirror, active)
    assert exclusion_of(mirror, out.run_id, ams_id) == ExclusionReason.REMOTE_UNSUBSCRIBED.value
    assert out.counts.removed == 1

    netforum.execute("UPDATE Customer SET DoNotEmail = 0 WHERE CustomerKey = ?", (ams_id,))
    back = resync(service, active)
    assert back.ok, back.error
    assert status_of(mirror, ams_id) == ("active", None)
    assert ams_id in member_ids(mirror, active)
    assert exclusion_of(mirror, back.run_id, ams_id) is None
    assert back.counts.added == 1


# -- tokens ----------------------------------------------------------------------------------------


def test_a_stale_token_does_not_fail_a_run(mirror, credentials, clock, service, netforum):  # noqa: F811
    """DOMAIN.md (netFORUM Pro): "every later call sends it and gets a NEW token back, which the
    next call must use"; seed 003: a resync is "Retrieving the subscribers from a particular
    messaging job query". netFORUM forgets the session between the connector's sign-in and its
    next call: the connector signs in again and the run succeeds."""

    def signed_in_then_expired(bridge, creds):  # type: ignore[no-untyped-def]
        connector = build_connector(bridge, creds)
        connector.test()  # signs in: the connector now holds a token
        netforum.expire_tokens()  # netFORUM forgets it (session timeout, app pool recycle)
        return connector

    stale = SyncService(mirror, credentials, clock, connector_for=signed_in_then_expired)
    board = netforum.query_key("Board of Directors")
    netforum.clear_calls()
    result = resync(stale, board)
    assert result.ok, result.error
    assert result.counts.fetched == 15
    assert netforum.calls[-3:] == [
        ("ExecuteMethod", "GetQueryMembers"),  # refused: InvalidToken
        ("Authenticate", ""),
        ("ExecuteMethod", "GetQueryMembers"),
    ]
    refreshed = stale.run(SyncRequest(BRIDGE, SyncKind.REFRESH_LIST))
    assert refreshed.ok, refreshed.error


# -- a broken answer leaves the mirror as it was ---------------------------------------------------


@pytest.mark.parametrize("mode", ["drop", "garbage"])
def test_a_broken_answer_leaves_the_mirror_unchanged(service, mirror, netforum, mode):  # noqa: F811
    """Seed 003: "The Informz sync is the cornerstone of the integration: it augments your
    existing Informz data" - a member answer cut off mid-stream ("drop") or malformed
    ("garbage") must not leave a half-applied sync: the mirror is exactly as before, the run is
    recorded as failed with one sentence, and the next run succeeds."""
    everyone = netforum.query_key(EVERYONE)
    assert resync(service, everyone).ok
    netforum.execute("UPDATE Customer SET DoNotEmail = 1 - DoNotEmail WHERE RecordNumber % 7 = 0")
    netforum.execute("DELETE FROM Customer WHERE RecordNumber % 11 = 0")
    before = snapshot(mirror)
    # Let the WSDL and the sign-in through; break the GetQueryMembers answer, after about 1,000
    # of its 2,000 rows for "drop" (the sync has staged pages of 500 by then).
    netforum.set_fault(mode, after_requests=2, drop_after_bytes=400_000)
    seen = []
    failed = resync(service, everyone, progress=seen.append)
    assert failed.status == "failed"
    assert one_sentence(failed.error), failed.error
    assert BROKEN[mode] in failed.error
    if mode == "drop":
        assert any(p.phase == "fetch" and p.done >= 500 for p in seen)  # mid-stream
    assert snapshot(mirror) == before
    assert rows(mirror, "SELECT status, error FROM sync_run WHERE id = :r", r=failed.run_id) == [
        ("failed", failed.error)
    ]
    assert rows(
        mirror,
        "SELECT level, message FROM run_log WHERE run_id = :r AND level = 'error'",
        r=failed.run_id,
    ) == [("error", failed.error)]

    netforum.set_fault(None)
    recovered = resync(service, everyone)
    assert recovered.ok, recovered.error
    c = recovered.counts
    assert c.removed > 0 and c.fetched == c.members_after + c.excluded
