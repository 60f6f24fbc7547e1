"""iDSS: the Informz code written back after a sync, and contact errors (seed 002)."""

from __future__ import annotations

from mirror_helpers import add_bridge, rows
from static_connector import StaticAms, StaticIdssConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService


def setup(mirror, credentials, clock, ams):  # type: ignore[no-untyped-def]
    add_bridge(mirror, clock, name="iDSS", kind="idss", groups=("list-1",))
    credentials.set("bridge:idss:iDSS", "key")
    return SyncService(mirror, credentials, clock,
                       connector_for=lambda bridge, creds: StaticIdssConnector(ams))


def test_synced_contacts_get_their_informz_code(mirror, credentials, clock):
    """Seed 002: "Contacts in iDSS update with the Informz subscriber ID after the sync"."""
    ams = StaticAms(groups={"list-1": [R("c1", "a@example.org"), R("c2", "bad-email"),
                                       R("c3", "c@example.org", deactivated=True)]})
    service = setup(mirror, credentials, clock, ams)
    result = service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group="list-1"))
    assert result.ok
    sub = rows(mirror, "SELECT id FROM subscriber WHERE email_key = 'a@example.org'")[0][0]
    assert ams.codes == {"c1": str(sub)}  # excluded contacts get none
    # A contact that already carries its code is not written again.
    ams.groups["list-1"][0] = ams.groups["list-1"][0]._replace(fields={"informz_code": str(sub)})
    ams.codes.clear()
    service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group="list-1"))
    assert ams.codes == {}


def test_a_failed_write_is_kept_with_the_call_and_the_system_error(mirror, credentials, clock):
    """Seed 002: a contact in red; "Informz SoftOps can check the XML call and system error"."""
    ams = StaticAms(groups={"list-1": [R("c1", "a@example.org"), R("c2", "b@example.org")]},
                    failing_codes={"c2": "Contact is locked by another user"})
    service = setup(mirror, credentials, clock, ams)
    result = service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group="list-1"))
    assert result.ok  # the sync committed; the failed write does not undo it
    errors = rows(mirror, "SELECT ams_id, request, system_error, resolved_at FROM contact_error")
    assert errors == [("c2", 'PATCH /api/v1/contacts/c2 {"informz_code": "2"}',
                       "Contact is locked by another user", None)]
    log = [m for (m,) in rows(mirror, "SELECT message FROM run_log WHERE run_id = :r",
                              r=result.run_id)]
    assert "Informz code written to 1 contacts; 1 failed (see contact errors)." in log
    ams.failing_codes.clear()
    service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group="list-1"))
    assert rows(mirror, "SELECT COUNT(*) FROM contact_error WHERE resolved_at IS NULL") == [(0,)]


def test_a_dry_run_writes_no_codes(mirror, credentials, clock):
    ams = StaticAms(groups={"list-1": [R("c1", "a@example.org")]})
    service = setup(mirror, credentials, clock, ams)
    service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group="list-1", dry_run=True))
    assert ams.codes == {}


def test_a_failure_after_the_commit_never_reports_the_sync_failed(mirror, credentials, clock):
    """The code write follows a committed sync: if it breaks (here a connector that raises an
    unexpected error, a fault that cannot be caused for real), the run stays succeeded and says
    what went wrong."""

    class Broken(StaticIdssConnector):
        def write_informz_code(self, contact_id: str, code: str) -> None:
            raise RuntimeError("boom")

    ams = StaticAms(groups={"list-1": [R("c1", "a@example.org")]})
    add_bridge(mirror, clock, name="iDSS", kind="idss", groups=("list-1",))
    credentials.set("bridge:idss:iDSS", "key")
    service = SyncService(mirror, credentials, clock, connector_for=lambda b, c: Broken(ams))
    result = service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group="list-1"))
    assert result.ok and result.counts.added == 1
    assert rows(mirror, "SELECT status FROM sync_run WHERE id = :r", r=result.run_id) == [
        ("succeeded",)]
    assert rows(mirror, "SELECT level, message FROM run_log WHERE run_id = :r AND level = "
                        "'error'", r=result.run_id) == [
        ("error", "The sync committed, but what follows it failed: RuntimeError")]
