"""Preview: a dry run shows what a resync would add, update and remove, and applies nothing
until "Apply (resync now)"."""

from __future__ import annotations

from groups_helpers import (
    BOARD,
    board_changed,
    board_outsiders,
    click_action,
    click_group,
    groups_tab,
    imis_sandbox,
    members_shown,
)
from gui_helpers import wait_jobs
from mirror_helpers import member_ids, snapshot
from PySide6.QtCore import Qt

from informz_console.ui.groups.preview_dialog import PreviewDialog


def test_preview_shows_the_changes_and_applies_nothing(qtbot, qtmodeltester, demo_window,
                                                       demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", BOARD)
    board = member_ids(demo_services.engine, BOARD)
    (joiner,), leaver, renamed = board_outsiders(demo_services), board[0], board[1]
    shown = members_shown(tab)
    with board_changed(imis_sandbox(demo_services), join=[joiner], leave=[leaver],
                       rename=[renamed]):
        before = snapshot(demo_services.engine)
        click_action(qtbot, tab, tab.actions.preview)
        wait_jobs(qtbot, demo_services)
        (dialog,) = [d for d in tab.dialogs if isinstance(d, PreviewDialog)]
        qtmodeltester.check(dialog.model)
        changes = {(dialog.model.row_at(r)[-1], dialog.model.row_at(r)[1])
                   for r in range(dialog.model.rowCount())}
        assert {("added", joiner), ("removed", leaver), ("updated", renamed)} <= changes
        assert "would add 1, update 1 and remove 1 members" in dialog.summary.text()
        assert "Nothing has been applied." in dialog.summary.text()
        assert snapshot(demo_services.engine) == before  # nothing applied
        assert members_shown(tab) == shown
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
        wait_jobs(qtbot, demo_services)
    after = member_ids(demo_services.engine, BOARD)
    assert joiner in after and leaver not in after
    assert demo_window.message_bar.text.startswith(
        "Resynced 'Board' (Demo iMIS): 1 added, 1 updated, 1 removed")
