"""The iDSS contacts tab against the running demo iDSS sandbox (seed 002): a contact whose sync
failed is red with the call and the system error; "Duplicate" follows a contact whose email
another contact has; Resync contact is the uncheck/recheck; Follow changes reads the feed."""

from __future__ import annotations

from gui_helpers import wait_jobs
from PySide6.QtCore import Qt
from sqlalchemy import text

from informz_console.ui.idss.contacts_model import FAILED_TEXT, STATUS_COLUMN
from informz_console.ui.tabs.idss_tab import IdssTab

NEWSLETTER = "Newsletter"  # the demo list whose contacts refuse their Informz code
EMAIL_COLUMN = 2


def idss_tab(qtbot, window) -> IdssTab:  # type: ignore[no-untyped-def]
    tab = window.show_tab(IdssTab)
    tab.reload()
    wait_jobs(qtbot, window.services)
    return tab


def choose_list(qtbot, tab: IdssTab, name: str) -> None:  # type: ignore[no-untyped-def]
    index = list_item(tab, name).index()
    rect = tab.tree.visualRect(index)
    qtbot.mouseClick(tab.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_jobs(qtbot, tab.services)
    assert tab.tree.currentIndex() == index


def list_item(tab: IdssTab, name: str):  # type: ignore[no-untyped-def]
    (item,) = tab.lists_model.findItems(name, Qt.MatchFlag.MatchExactly
                                        | Qt.MatchFlag.MatchRecursive)
    return item


def choose_contact(qtbot, tab: IdssTab, contact_id: str) -> int:  # type: ignore[no-untyped-def]
    row = tab.index.ids.index(contact_id)
    tab.table.scrollTo(tab.model.index(row, 0))
    rect = tab.table.visualRect(tab.model.index(row, 0))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.contact_id == contact_id
    return row


def cell(tab: IdssTab, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
    return tab.model.data(tab.model.index(row, column), role)


def idss_sandbox(services):  # type: ignore[no-untyped-def]
    return next(box for ams, box in services.endpoints.running if ams.kind == "idss")


def refused(services) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
    """The contacts the demo sandbox refuses an Informz code: id -> (status, system error)."""
    return {str(cid): (status, error) for cid, status, error in
            idss_sandbox(services).execute("SELECT contact_id, status, error FROM patch_failures")}


def test_failed_contacts_are_red_with_the_call_and_the_system_error(qtbot, qtmodeltester,
                                                                   demo_window, demo_services):
    """Seed 002: "When a contact is highlighted in red on a distribution list, it indicates that
    there was an error syncing the contact ... SoftOps can check the XML call and system
    error"."""
    tab = idss_tab(qtbot, demo_window)
    qtmodeltester.check(tab.tree.model())
    choose_list(qtbot, tab, NEWSLETTER)
    qtmodeltester.check(tab.model)
    failing = refused(demo_services)
    assert failing and tab.index.failed == len(failing)
    assert set(tab.index.ids[:len(failing)]) == set(failing)  # failed contacts come first
    for row, contact in enumerate(tab.index.ids[:len(failing)]):
        _, error = failing[contact]
        assert cell(tab, row, 0, Qt.ItemDataRole.ForegroundRole) == FAILED_TEXT
        tip = cell(tab, row, 2, Qt.ItemDataRole.ToolTipRole)
        assert f"Call: PATCH /api/v1/contacts/{contact} " in tip and error in tip
        assert cell(tab, row, 5) == error.splitlines()[0]
    healthy = len(failing)
    assert cell(tab, healthy, 0, Qt.ItemDataRole.ForegroundRole) != FAILED_TEXT
    contact = tab.index.ids[0]
    choose_contact(qtbot, tab, contact)
    detail = tab.detail.toPlainText()
    assert f"PATCH /api/v1/contacts/{contact}" in detail and failing[contact][1] in detail
    assert "sandbox-idss-key" not in detail  # the API key travels in a header, never shown
    item = list_item(tab, NEWSLETTER)
    assert item.parent().child(item.row(), 2).text() == str(len(failing))


def test_duplicate_follows_each_contact_whose_email_another_has(qtbot, demo_window,
                                                               demo_services):
    """Seed 002: "If the word Duplicate displays after a contact, the email associated with the
    record is also associated with another contact record in iDSS"."""
    tab = idss_tab(qtbot, demo_window)
    choose_list(qtbot, tab, NEWSLETTER)
    statuses = [cell(tab, row, STATUS_COLUMN) for row in range(tab.model.rowCount())]
    emails = [cell(tab, row, EMAIL_COLUMN).strip().lower() for row in range(len(statuses))]
    marked = {email for email, status in zip(emails, statuses, strict=True)
              if status.endswith("Duplicate")}
    assert marked and len([s for s in statuses if s.endswith("Duplicate")]) == \
        tab.index.duplicates
    with demo_services.engine.connect() as conn:
        shared = {key for (key,) in conn.execute(text(
            "SELECT email_key FROM exclusion WHERE reason = 'duplicate_email' "
            "AND email_key IS NOT NULL"))}
    assert marked <= shared
    # the contact that kept the email is marked too, not only the one the sync excluded
    kept = [s for e, s in zip(emails, statuses, strict=True) if e in marked and
            s.startswith("Member")]
    assert kept and all(s == "Member · Duplicate" for s in kept)
    plain = [e for e, s in zip(emails, statuses, strict=True) if s == "Member"]
    assert not set(plain) & shared
    tab.show_combo.setCurrentIndex(tab.show_combo.findData("duplicate"))
    wait_jobs(qtbot, demo_services)
    narrowed = [cell(tab, row, STATUS_COLUMN) for row in range(tab.model.rowCount())]
    assert len(narrowed) == tab.index.duplicates and all(s.endswith("Duplicate") for s in narrowed)


def test_resync_contact_sends_the_code_again(qtbot, demo_window, demo_services):
    """Seed 002: unchecking and rechecking the list "forces a resync with Informz": while iDSS
    still refuses, the contact stays red; once it accepts, the contact is no longer red."""
    tab = idss_tab(qtbot, demo_window)
    choose_list(qtbot, tab, NEWSLETTER)
    box, failing = idss_sandbox(demo_services), refused(demo_services)
    contact = tab.index.ids[0]
    status, error = failing[contact]
    choose_contact(qtbot, tab, contact)
    with qtbot.waitSignal(demo_services.events.changed, timeout=60_000):
        qtbot.mouseClick(tab.resync_button, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, demo_services)
    row = tab.index.ids.index(contact)
    assert cell(tab, row, 0, Qt.ItemDataRole.ForegroundRole) == FAILED_TEXT
    box.fail_patch(int(contact), None)  # the lock is gone in iDSS
    try:
        with qtbot.waitSignal(demo_services.events.changed, timeout=60_000):
            qtbot.mouseClick(tab.resync_button, Qt.MouseButton.LeftButton)
        wait_jobs(qtbot, demo_services)
    finally:
        box.fail_patch(int(contact), error, status)
    assert demo_window.message_bar.level == "info"
    assert tab.index.failed == len(failing) - 1 and tab.contact_id == contact
    row = tab.index.ids.index(contact)
    assert cell(tab, row, 0, Qt.ItemDataRole.ForegroundRole) != FAILED_TEXT
    assert "Sync failed" not in tab.detail.toPlainText()
    assert box.contact(int(contact))["informz_code"] == cell(tab, row, 4)


def test_follow_changes_applies_what_is_saved_in_idss(qtbot, demo_window, demo_services):
    """Issue 3 / seed 002: changes saved in iDSS are copied to Informz as they are made, while
    the console follows the change feed."""
    tab = idss_tab(qtbot, demo_window)
    choose_list(qtbot, tab, NEWSLETTER)
    tab.follow.timer.setInterval(100)
    with qtbot.waitSignal(tab.follow.polled, timeout=60_000):  # catches up with the history
        qtbot.mouseClick(tab.follow_button, Qt.MouseButton.LeftButton)
    assert tab.follow.on and tab.follow_button.isChecked()
    box = idss_sandbox(demo_services)
    member = next(i for i in tab.index.ids[tab.index.failed:]
                  if cell(tab, tab.index.ids.index(i), STATUS_COLUMN) == "Member")
    old = box.contact(int(member))["first_name"]
    box.change_contact(int(member), first_name="Followed")
    try:
        qtbot.waitUntil(lambda: tab.index is not None and member in tab.index.ids and cell(
            tab, tab.index.ids.index(member), 1).startswith("Followed"), timeout=60_000)
    finally:
        box.change_contact(int(member), first_name=old)
    qtbot.mouseClick(tab.follow_button, Qt.MouseButton.LeftButton)
    assert not tab.follow.on
    wait_jobs(qtbot, demo_services)
    with demo_services.engine.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM sync_run WHERE trigger = 'change_feed'"))


def test_following_stops_when_the_window_closes(qtbot, demo_window, demo_services):
    tab = idss_tab(qtbot, demo_window)
    qtbot.mouseClick(tab.follow_button, Qt.MouseButton.LeftButton)
    assert tab.follow.on
    demo_window.close()
    assert not tab.follow.on  # no poll can start after the window shut its jobs down


def test_show_narrows_to_failed_contacts(qtbot, demo_window, demo_services):
    tab = idss_tab(qtbot, demo_window)
    choose_list(qtbot, tab, "All Contacts")
    everyone = tab.model.rowCount()
    tab.show_combo.setCurrentIndex(tab.show_combo.findData("failed"))
    wait_jobs(qtbot, demo_services)
    assert tab.model.rowCount() == len(refused(demo_services)) < everyone
    assert all(cell(tab, r, 0, Qt.ItemDataRole.ForegroundRole) == FAILED_TEXT
               for r in range(tab.model.rowCount()))
