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


def _member_emails(mirror, list_id: int) -> set[str]:
    return {e for (e,) in rows(mirror, "SELECT s.email FROM membership m JOIN subscriber s ON "
                                       "s.id = m.subscriber_id JOIN target_group g ON g.id = "
                                       "m.group_id WHERE g.remote_key = :k", k=str(list_id))}


def _active_board_contact(idss):  # noqa: F811
    return next(c for c in _board(idss) if c["active"] and c["email"]
                and "@" in c["email"] and " " not in c["email"])


def test_following_the_feed_applies_each_change_as_it_comes(service, mirror, idss):  # noqa: F811
    """Seed 002: "Any changes made in customer records or to distribution lists also sync with
    Informz ... when the changes are made and saved"; a deactivated contact leaves the target
    group; changing a contact's email creates a new subscriber (DOMAIN)."""
    from informz_console.sync.follow import follow_once

    service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group=str(BOARD_LIST)))
    assert follow_once(service, "iDSS").ok  # catch up with the feed's history
    mover, leaver = [c for c in _board(idss) if c["active"] and c["email"]][:2]
    idss.change_contact(mover["id"], email="moved.member@example.org")
    idss.change_contact(leaver["id"], active=False)
    newcomer = idss.add_contact("new.board@example.org", lists=(BOARD_LIST,))
    outcome = follow_once(service, "iDSS")
    assert outcome.ok and outcome.changes == 3
    members = _member_emails(mirror, BOARD_LIST)
    assert {"moved.member@example.org", "new.board@example.org"} <= members
    assert mover["email"] not in members and leaver["email"] not in members
    new_sub = rows(mirror, "SELECT id FROM subscriber WHERE email_key = 'new.board@example.org'")
    assert idss.contact(newcomer)["informz_code"] == str(new_sub[0][0])
    assert follow_once(service, "iDSS").changes == 0  # the position moved on


def test_uncheck_and_recheck_forces_a_resync_of_the_contact(service, mirror, idss):  # noqa: F811
    """Seed 002: uncheck the list, save, recheck, save: "This forces a resync with Informz"."""
    from informz_console.sync.follow import follow_once

    service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group=str(BOARD_LIST)))
    assert follow_once(service, "iDSS").ok
    contact = _active_board_contact(idss)
    idss.fail_patch(contact["id"], None)
    idss.recheck_list(contact["id"], BOARD_LIST)
    outcome = follow_once(service, "iDSS")
    assert outcome.ok and outcome.changes == 2
    assert contact["email"].lower() in {e.lower() for e in _member_emails(mirror, BOARD_LIST)}


def test_resync_of_one_contact_is_one_call(service, mirror, idss):  # noqa: F811
    """Seed 002: a contact in red is fixed by unchecking and rechecking its list, which "forces
    a resync with Informz"; the console does the same for one contact in one call."""
    from informz_console.sync.follow import resync_contact

    contact = _active_board_contact(idss)
    idss.fail_patch(contact["id"], "Record locked by iDSS user jsmith")
    service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group=str(BOARD_LIST)))
    assert rows(mirror, "SELECT COUNT(*) FROM contact_error WHERE resolved_at IS NULL") == [(1,)]
    idss.fail_patch(contact["id"], None)  # the lock is gone in iDSS
    idss.change_contact(contact["id"], remove_lists=[BOARD_LIST])  # and it left the Board
    outcome = resync_contact(service, "iDSS", str(contact["id"]))
    assert outcome.ok
    assert contact["email"].lower() not in {e.lower() for e in _member_emails(mirror, BOARD_LIST)}
    assert rows(mirror, "SELECT COUNT(*) FROM contact_error WHERE resolved_at IS NULL") == [(0,)]
    assert {r.counts.fetched for r in outcome.results} == {1}
