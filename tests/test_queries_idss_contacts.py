"""The contacts of an iDSS distribution list as the iDSS tab reads them (seed 002: a failed
contact shows red with the call and the system error; "Duplicate" marks a contact whose email
another contact also has), over the real iDSS sandbox and a real mirror. No Qt."""

from __future__ import annotations

import pytest
from idss_fixtures import idss, idss_template  # noqa: F401
from mirror_helpers import add_bridge, rows
from sqlalchemy.orm import Session

from informz_console.sandbox.idss import BOARD_LIST, EVERYONE_LIST
from informz_console.store.queries.idss_contacts import (
    contact_index,
    contact_rows,
    idss_lists,
)
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.follow import follow_once, resync_contact
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

LOCKED = "Record locked by iDSS user jsmith"
VOLUNTEERS = 5  # a small list with excluded contacts


@pytest.fixture
def service(mirror, credentials, clock, idss):  # noqa: F811
    name = save_bridge(mirror, BridgeSpec("idss", "iDSS", {"site_url": idss.site_url}), clock)
    credentials.set(name, idss.api_key)
    service = SyncService(mirror, credentials, clock)
    assert service.run(SyncRequest("iDSS", SyncKind.REFRESH_LIST)).ok
    return service


def group_id(mirror, list_id: int) -> int:
    return rows(mirror, "SELECT id FROM target_group WHERE remote_key = :k", k=str(list_id))[0][0]


def resync(service, list_id: int):  # type: ignore[no-untyped-def]
    result = service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group=str(list_id)))
    assert result.ok, result.error
    return result


def clean_contact(idss, list_id: int) -> int:  # noqa: F811
    """An active contact of the list with an email of its own (the sync keeps it)."""
    for (contact_id, email) in idss.execute(
            "SELECT c.id, c.email FROM contacts c JOIN list_contacts l ON l.contact_id = c.id "
            "WHERE l.list_id = ? AND c.active = 1 ORDER BY c.id", (list_id,)):
        if email and email == email.strip().lower() and f"{contact_id}@" in email:
            return contact_id
    raise AssertionError("no clean contact on the list")


def index_of(mirror, list_id: int, show: str = "all"):  # type: ignore[no-untyped-def]
    with Session(mirror) as session:
        return contact_index(session, group_id(mirror, list_id), show)


def rows_of(mirror, list_id: int, ids):  # type: ignore[no-untyped-def]
    with Session(mirror) as session:
        return contact_rows(session, group_id(mirror, list_id), ids)


def test_a_list_shows_its_members_and_the_contacts_it_excluded(service, mirror):
    result = resync(service, VOLUNTEERS)
    index = index_of(mirror, VOLUNTEERS)
    assert index.total == result.counts.fetched == len(index.ids)
    assert index.excluded == result.counts.excluded
    found = rows_of(mirror, VOLUNTEERS, index.ids)
    members = [r for r in found.values() if r.member]
    assert len(members) == result.counts.members_after
    assert all(r.informz_code and r.reason is None for r in members)
    excluded = [r for r in found.values() if not r.member]
    assert excluded and all(r.reason and r.informz_code is None for r in excluded)


def test_a_refused_informz_code_is_a_failed_contact_with_its_call_and_error(service, mirror,
                                                                           idss):  # noqa: F811
    """Seed 002: red, and "SoftOps can check the XML call and system error"."""
    victim = clean_contact(idss, BOARD_LIST)
    idss.fail_patch(victim, LOCKED)
    try:
        resync(service, BOARD_LIST)
    finally:
        idss.fail_patch(victim, None)
    index = index_of(mirror, BOARD_LIST)
    assert index.failed == 1 and index.ids[0] == str(victim)  # failed contacts come first
    row = rows_of(mirror, BOARD_LIST, [str(victim)])[str(victim)]
    assert row.failed and row.member and row.system_error == LOCKED
    assert row.request.startswith(f"PATCH /api/v1/contacts/{victim}")
    assert index_of(mirror, BOARD_LIST, "failed").ids == [str(victim)]
    board_id = group_id(mirror, BOARD_LIST)
    with Session(mirror) as session:
        board = next(item for item in idss_lists(session) if item.group_id == board_id)
    assert board.failed == 1


def test_resyncing_a_healed_contact_clears_its_failure(service, mirror, idss):  # noqa: F811
    """Seed 002: uncheck/recheck "forces a resync"; once iDSS accepts the code, it is not red."""
    victim = clean_contact(idss, BOARD_LIST)
    idss.fail_patch(victim, LOCKED)
    resync(service, BOARD_LIST)
    idss.fail_patch(victim, None)
    assert resync_contact(service, "iDSS", str(victim)).ok
    assert index_of(mirror, BOARD_LIST).failed == 0
    assert not rows_of(mirror, BOARD_LIST, [str(victim)])[str(victim)].failed


def test_contacts_sharing_an_email_are_each_marked_duplicate(service, mirror):
    """Seed 002: "If the word Duplicate displays after a contact, the email associated with the
    record is also associated with another contact record"."""
    resync(service, EVERYONE_LIST)
    index = index_of(mirror, EVERYONE_LIST, "duplicate")
    found = rows_of(mirror, EVERYONE_LIST, index.ids)
    assert index.duplicates == len(index.ids) == len(found) > 0
    assert all(r.duplicate for r in found.values())
    by_email: dict[str, list] = {}
    for row in found.values():
        by_email.setdefault(row.email.strip().lower(), []).append(row)
    assert all(len(group) >= 2 for group in by_email.values())  # never one alone
    assert all(sum(r.member for r in group) <= 1 for group in by_email.values())
    emails = [found[i].email.strip().lower() for i in index.ids]
    assert emails == sorted(emails)  # those sharing an email are next to each other
    others = rows_of(mirror, EVERYONE_LIST, [i for i in index_of(mirror, EVERYONE_LIST).ids
                                            if i not in found][:200])
    assert not any(r.duplicate for r in others.values())


def test_a_change_from_the_feed_is_the_newest_word_on_a_contact(service, mirror, idss):  # noqa: F811
    """Seed 002: changes saved in iDSS carry forward; a contact excluded by the resync that is
    fixed in iDSS becomes a member."""
    resync(service, VOLUNTEERS)
    assert follow_once(service, "iDSS").ok
    before = index_of(mirror, VOLUNTEERS, "excluded").ids
    fixed = before[0]
    idss.change_contact(int(fixed), email=f"fixed.{fixed}@example.org", active=True)
    assert follow_once(service, "iDSS").ok
    row = rows_of(mirror, VOLUNTEERS, [fixed])[fixed]
    assert row.member and row.email == f"fixed.{fixed}@example.org"
    assert fixed not in index_of(mirror, VOLUNTEERS, "excluded").ids


def test_rows_leave_out_ids_that_are_not_contacts_of_the_list(service, mirror):
    resync(service, BOARD_LIST)
    assert rows_of(mirror, BOARD_LIST, ["999", "not-a-contact"]) == {}


def test_only_idss_bridges_lists_are_listed(service, mirror, clock):
    add_bridge(mirror, clock, groups=("$/Test/Members",))
    resync(service, BOARD_LIST)
    board_id = group_id(mirror, BOARD_LIST)
    with Session(mirror) as session:
        lists = idss_lists(session)
    assert {item.bridge for item in lists} == {"iDSS"}
    assert len(lists) == 6
    board = next(item for item in lists if item.group_id == board_id)
    assert board.members == len(rows(mirror, "SELECT * FROM membership WHERE group_id = :g",
                                     g=board.group_id))


def test_an_unknown_show_or_list_is_one_sentence(service, mirror):
    with pytest.raises(ValueError, match="not one of"):
        index_of(mirror, BOARD_LIST, "everything")
    with Session(mirror) as session, pytest.raises(LookupError, match="no longer in this"):
        contact_index(session, 12345)
