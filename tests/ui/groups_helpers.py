"""Helpers for the Target groups tab tests: reach the tab, click a group in its tree, and
change the iMIS sandbox's Board (its membership is Activity rows, which no iMIS trigger
records, so an undo leaves the sandbox exactly as it was)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from gui_helpers import wait_jobs
from mirror_helpers import member_ids, rows
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from informz_console.ui.tabs.groups_tab import TargetGroupsTab

BOARD = "$/Informz/Board"
ACTIVE = "$/Informz/All Active Members"
EVERYONE = "$/Informz/Everyone"
BOARD_ROW = "SELECT * FROM Activity WHERE ID = ? AND ACTIVITY_TYPE = 'COMMITTEE' AND " \
            "PRODUCT_CODE = 'BOARD'"


def groups_tab(qtbot, window) -> TargetGroupsTab:  # type: ignore[no-untyped-def]
    tab = window.show_tab(TargetGroupsTab)
    wait_jobs(qtbot, window.services)
    return tab


def click_group(qtbot, tab: TargetGroupsTab, bridge: str, remote_key: str) -> None:  # type: ignore[no-untyped-def]
    """Click the group's row in the tree, as a user does."""
    node = next(n for n in tab.tree.source.tree.by_group.values()
                if n.bridge.name == bridge and n.counts and n.counts.remote_key == remote_key)
    click_index(qtbot, tab, tab.tree.source.index_of_group(node.counts.group_id))


def click_bridge(qtbot, tab: TargetGroupsTab, bridge: str) -> None:  # type: ignore[no-untyped-def]
    click_index(qtbot, tab, tab.tree.source.index_of_bridge(bridge))


def click_index(qtbot, tab: TargetGroupsTab, source_index) -> None:  # type: ignore[no-untyped-def]
    view = tab.tree
    index = view.proxy.mapFromSource(source_index)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())
    assert view.currentIndex() == index
    wait_jobs(qtbot, tab.services)


def click_action(qtbot, tab: TargetGroupsTab, action) -> None:  # type: ignore[no-untyped-def]
    button = tab.toolbar.widgetForAction(action)
    assert isinstance(button, QToolButton) and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def imis_sandbox(services):  # type: ignore[no-untyped-def]
    return next(box for ams, box in services.endpoints.running if ams.kind == "imis")


def board_outsiders(services, count: int = 1) -> list[str]:  # type: ignore[no-untyped-def]
    """Active members with a valid email who are not on the Board (in the mirror)."""
    board = set(member_ids(services.engine, BOARD))
    return [a for a in member_ids(services.engine, ACTIVE) if a not in board][:count]


@contextmanager
def board_changed(imis, *, join: list[str] = (), leave: list[str] = (),  # type: ignore[assignment]
                  rename: list[str] = ()) -> Iterator[None]:  # type: ignore[assignment]
    """People join or leave the Board, or get a new first name, until the block ends."""
    left = [row for ams_id in leave for row in imis.execute(BOARD_ROW, (ams_id,))]
    names = {a: imis.execute("SELECT FIRST_NAME FROM Name WHERE ID = ?", (a,))[0][0]
             for a in rename}
    (top,) = imis.execute("SELECT MAX(SEQN) FROM Activity")[0]
    try:
        for n, ams_id in enumerate(join, start=1):
            imis.execute("INSERT INTO Activity (SEQN, ID, ACTIVITY_TYPE, PRODUCT_CODE, "
                         "DESCRIPTION) VALUES (?, ?, 'COMMITTEE', 'BOARD', 'Board of Directors')",
                         (top + n, ams_id))
        for ams_id in leave:
            imis.execute("DELETE FROM Activity WHERE SEQN IN (SELECT SEQN FROM Activity WHERE "
                         "ID = ? AND ACTIVITY_TYPE = 'COMMITTEE' AND PRODUCT_CODE = 'BOARD')",
                         (ams_id,))
        for ams_id in rename:
            imis.execute("UPDATE Name SET FIRST_NAME = 'Renamed' WHERE ID = ?", (ams_id,))
        yield
    finally:
        imis.execute("DELETE FROM Activity WHERE SEQN > ?", (top,))
        for row in left:
            imis.execute(f"INSERT INTO Activity VALUES ({', '.join('?' * len(row))})", row)
        for ams_id, name in names.items():
            imis.execute("UPDATE Name SET FIRST_NAME = ? WHERE ID = ?", (name, ams_id))


def members_shown(tab: TargetGroupsTab) -> str:
    return tab.details.members_link.text()


def group_members(services, remote_key: str) -> int:  # type: ignore[no-untyped-def]
    return rows(services.engine, "SELECT COUNT(*) FROM membership m JOIN target_group g ON "
                                 "g.id = m.group_id WHERE g.remote_key = :k", k=remote_key)[0][0]
