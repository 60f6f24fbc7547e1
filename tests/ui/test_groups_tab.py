"""The Target groups tab against the running demo sandboxes: the tree, one-click resync, cancel,
a failing endpoint, list refresh and the staff-only full refresh (seed 000)."""

from __future__ import annotations

from groups_helpers import (
    BOARD,
    board_changed,
    board_outsiders,
    click_action,
    click_bridge,
    click_group,
    group_members,
    groups_tab,
    imis_sandbox,
    members_shown,
)
from gui_helpers import wait_jobs
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence

from informz_console.store.queries.counts import all_counts
from informz_console.ui.groups.tree_model import FRESHNESS, GROUP_ID_ROLE, KIND, MEMBERS, NAME
from informz_console.ui.groups.tree_nodes import folder_parts


def shown_groups(tab, parent=None) -> list[str]:  # type: ignore[no-untyped-def]
    """Names of the group rows the tree shows (after its filter), depth first."""
    proxy, found, parent = tab.tree.proxy, [], parent or QModelIndex()
    for row in range(proxy.rowCount(parent)):
        index = proxy.index(row, NAME, parent)
        if proxy.data(index, GROUP_ID_ROLE) is not None:
            found.append(proxy.data(index))
        found += shown_groups(tab, index)
    return found


def menu_action(window, text: str) -> QAction:  # type: ignore[no-untyped-def]
    return next(a for a in window.findChildren(QAction) if a.text() == text
                and a.parent() is window)


def test_tree_shows_each_group_by_bridge_and_folder_with_its_counts(qtbot, qtmodeltester,
                                                                    demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    qtmodeltester.check(tab.tree.source)
    qtmodeltester.check(tab.tree.proxy)
    model = tab.tree.source
    assert [n.name for n in model.tree.root.children] == [
        "Demo iDSS", "Demo iMIS", "Demo netFORUM Pro", "Demo Personify360"]
    with demo_services.session() as session:
        expected = all_counts(session)
    assert len(model.tree.by_group) == len(expected)
    for counts in expected:
        index = model.index_of_group(counts.group_id)
        row = index.siblingAtColumn
        assert model.data(row(MEMBERS)) == f"{counts.members:,}"
        assert model.data(row(KIND)) == counts.kind
        parts = folder_parts(counts.folder)
        assert model.data(index.parent()) == (parts[-1] if parts else counts.bridge)


def test_personify_lists_not_regenerated_in_time_are_flagged_stale(qtbot, demo_window,
                                                                   demo_services):
    """Seed 001: a Personify list is only as fresh as its last regeneration."""
    tab = groups_tab(qtbot, demo_window)
    model = tab.tree.source
    with demo_services.session() as session:
        personify = [c for c in all_counts(session) if c.bridge == "Demo Personify360"]
    assert any(c.stale for c in personify) and not all(c.stale for c in personify)
    for counts in personify:
        cell = model.index_of_group(counts.group_id).siblingAtColumn(FRESHNESS)
        assert model.data(cell) == ("Stale" if counts.stale else "Current")
        assert counts.regeneration in model.data(cell, Qt.ItemDataRole.ToolTipRole)


def test_find_filters_the_tree_by_group_name(qtbot, demo_window):
    tab = groups_tab(qtbot, demo_window)
    find = menu_action(demo_window, "&Find")
    assert find.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    find.trigger()  # Ctrl+F
    assert demo_window.focusWidget() is tab.find  # (offscreen windows are never active)
    qtbot.keyClicks(tab.find, "chapter")
    assert sorted(shown_groups(tab)) == ["Chapter East", "Chapter East", "Chapter West"]
    tab.find.clear()
    assert len(shown_groups(tab)) == len(tab.tree.source.tree.by_group)


def test_resync_updates_the_counts_shown(qtbot, demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", BOARD)
    before = group_members(demo_services, BOARD)
    assert members_shown(tab) == f"{before:,}"
    imis = imis_sandbox(demo_services)
    with board_changed(imis, join=board_outsiders(demo_services, 2)):
        click_action(qtbot, tab, tab.actions.resync)
        wait_jobs(qtbot, demo_services)
    assert members_shown(tab) == f"{before + 2:,}" == f"{group_members(demo_services, BOARD):,}"
    assert tab.tree.current_node().counts.members == before + 2
    assert demo_window.message_bar.text.startswith("Resynced 'Board' (Demo iMIS): 2 added")


def test_a_group_read_by_a_fetch_process_resyncs_from_the_window(qtbot, demo_window,
                                                                 demo_services):
    """A large group is read by a process of its own (sync/fetch_process), started from the
    window's job thread; here every group counts as large."""
    demo_services.sync.fetch_process_from = 1
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", BOARD)
    before = group_members(demo_services, BOARD)
    with board_changed(imis_sandbox(demo_services), join=board_outsiders(demo_services, 3)):
        click_action(qtbot, tab, tab.actions.resync)
        wait_jobs(qtbot, demo_services)
    assert members_shown(tab) == f"{before + 3:,}" == f"{group_members(demo_services, BOARD):,}"
    assert demo_window.message_bar.text.startswith("Resynced 'Board' (Demo iMIS): 3 added")


def test_f5_resyncs_the_selected_group(qtbot, demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", BOARD)
    before = group_members(demo_services, BOARD)
    f5 = menu_action(demo_window, "&Resync")
    assert f5.shortcut().toString() == "F5"
    with board_changed(imis_sandbox(demo_services), join=board_outsiders(demo_services)):
        f5.trigger()
        wait_jobs(qtbot, demo_services)
    assert members_shown(tab) == f"{before + 1:,}"


def test_cancel_leaves_the_counts_unchanged_and_says_so(qtbot, demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", BOARD)
    before = group_members(demo_services, BOARD)
    imis = imis_sandbox(demo_services)
    with board_changed(imis, join=board_outsiders(demo_services)):
        imis.set_fault("slow", slow_s=1.0)  # every answer late: the run is mid-fetch
        try:
            click_action(qtbot, tab, tab.actions.resync)
            qtbot.mouseClick(demo_window.status.jobs.cancel_button, Qt.MouseButton.LeftButton)
            wait_jobs(qtbot, demo_services)
        finally:
            imis.set_fault(None)
    assert group_members(demo_services, BOARD) == before
    assert members_shown(tab) == f"{before:,}"
    assert demo_window.message_bar.text == (
        "The resync of 'Board' (Demo iMIS) was cancelled; the mirror and its counts are "
        "unchanged.")
    assert tab.actions.resync.isEnabled()


def test_a_failing_endpoint_shows_the_error_and_keeps_the_counts(qtbot, demo_window,
                                                                 demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", BOARD)
    before = group_members(demo_services, BOARD)
    imis = imis_sandbox(demo_services)
    with board_changed(imis, join=board_outsiders(demo_services)):
        imis.set_fault("refuse")
        try:
            click_action(qtbot, tab, tab.actions.resync)
            wait_jobs(qtbot, demo_services)
        finally:
            imis.set_fault(None)
    assert demo_window.message_bar.level == "error"
    text = demo_window.message_bar.text
    assert text.startswith("The resync of 'Board' (Demo iMIS) failed: ")
    assert "503" in text and "Traceback" not in text and imis.password not in text
    assert members_shown(tab) == f"{before:,}" == f"{group_members(demo_services, BOARD):,}"
    assert any("Board" in label.text() and "503" in label.text()
               for label in tab.health.error_labels)  # sync health lists the failed run


def test_refresh_list_reports_the_bridge_list(qtbot, demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_bridge(qtbot, tab, "Demo netFORUM Pro")
    assert not tab.actions.resync.isEnabled() and not tab.actions.preview.isEnabled()
    click_action(qtbot, tab, tab.actions.refresh_list)
    wait_jobs(qtbot, demo_services)
    assert demo_window.message_bar.level == "info"
    assert "Demo netFORUM Pro" in demo_window.message_bar.text
    assert tab.tree.current_node().name == "Demo netFORUM Pro"  # the selection is kept


def test_full_refresh_is_staff_only(qtbot, demo_window, demo_services):
    """Seed 000: only staff may run a full refresh; the sync refuses a client anyway."""
    tab = groups_tab(qtbot, demo_window)
    click_bridge(qtbot, tab, "Demo iMIS")
    full = tab.actions.full_refresh
    assert not full.isEnabled()
    assert "staff" in tab.toolbar.widgetForAction(full).toolTip()
    tab.actions.run_full_refresh()  # forced past the disabled button
    wait_jobs(qtbot, demo_services)
    assert demo_window.message_bar.level == "error"
    assert "can only be run by a staff member" in demo_window.message_bar.text
    demo_window.role_actions["staff"].trigger()
    wait_jobs(qtbot, demo_services)
    assert full.isEnabled()
    click_bridge(qtbot, tab, "Demo Personify360")
    assert not full.isEnabled()  # iMIS bridges only
