"""iDSS end to end through the sync service and the real iDSS sandbox (seed 002)."""

from __future__ import annotations

import pytest
from idss_fixtures import idss, idss_template  # noqa: F401
from mirror_helpers import rows

from informz_console.sandbox.idss import BOARD_LIST, EVERYONE_LIST
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService


@pytest.fixture
def service(mirror, credentials, clock, idss):  # noqa: F811
    name = save_bridge(mirror, BridgeSpec("idss", "iDSS", {"site_url": idss.site_url}), clock)
    credentials.set(name, idss.api_key)
    service = SyncService(mirror, credentials, clock)
    assert service.run(SyncRequest("iDSS", SyncKind.REFRESH_LIST)).ok
    return service


def test_lists_become_interest_groups(service, mirror):
    """Seed 002: syncing a distribution list "creates a corresponding interest-based target
    group"."""
    kinds = {k for (k,) in rows(mirror, "SELECT DISTINCT kind FROM target_group")}
    assert kinds == {"interest"}


def test_a_list_sync_writes_each_informz_code_and_excludes_deactivated(service, mirror, idss):  # noqa: F811
    """Seed 002: contacts update with the Informz subscriber ID after the sync; a deactivated
    contact is not in the target group."""
    result = service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group=str(BOARD_LIST)))
    assert result.ok, result.error
    patched = {p.path.rsplit("/", 1)[-1]: p.body for p in idss.patches() if p.status < 300}
    linked = dict(rows(mirror, "SELECT l.ams_id, l.subscriber_id FROM subscriber_link l JOIN "
                               "membership m ON m.subscriber_id = l.subscriber_id"))
    assert len(patched) == result.counts.members_after == len(linked) > 0
    for contact, sub in linked.items():
        assert patched[contact] == f'{{"informz_code": "{sub}"}}' or (
            patched[contact] == f'{{"informz_code":"{sub}"}}')
    deactivated = rows(mirror, "SELECT COUNT(*) FROM exclusion WHERE run_id = :r AND "
                               "reason = 'deactivated'", r=result.run_id)[0][0]
    assert deactivated == len([1 for c in _board(idss) if not c["active"]])


def _board(idss):  # noqa: F811
    ids = [r[0] for r in idss.execute("SELECT contact_id FROM list_contacts WHERE list_id = ?",
                                      (BOARD_LIST,))]
    return [idss.contact(i) for i in ids]


def test_a_refused_informz_code_is_a_contact_error(service, mirror, idss):  # noqa: F811
    """Seed 002: a contact in red with "the XML call and system error"."""
    victim = str(next(c["id"] for c in _board(idss) if c["active"] and "@" in (c["email"] or "")))
    idss.fail_patch(int(victim), "Record locked by iDSS user jsmith")
    service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group=str(BOARD_LIST)))
    ((ams_id, request, error),) = rows(mirror, "SELECT ams_id, request, system_error "
                                               "FROM contact_error")
    assert ams_id == victim and error == "Record locked by iDSS user jsmith"
    assert request.startswith(f"PATCH /api/v1/contacts/{victim}")
    assert idss.api_key not in request


def test_everyone_list_counts_add_up(service, mirror):
    result = service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group=str(EVERYONE_LIST)))
    c = result.counts
    assert c.fetched == c.members_after + c.excluded
