"""Sync health above the groups tree: exclusions by reason across a bridge (latest live resync of
each group, seed 000), failed runs, and the count drift warning (issue 4, a user setting)."""

from __future__ import annotations

from groups_helpers import (
    BOARD,
    board_changed,
    click_action,
    click_group,
    groups_tab,
    imis_sandbox,
)
from gui_helpers import wait_jobs
from mirror_helpers import member_ids, rows
from PySide6.QtCore import Qt

from informz_console.ui.groups.tree_model import MEMBERS, WARNING

LATEST = ("SELECT e.reason, COUNT(*) FROM exclusion e WHERE e.run_id IN (SELECT MAX(r.id) FROM "
          "sync_run r JOIN bridge b ON b.id = r.bridge_id WHERE r.kind = 'resync_group' AND "
          "r.mode = 'live' AND r.status = 'succeeded' AND (:bridge IS NULL OR b.name = :bridge) "
          "GROUP BY r.group_id) GROUP BY e.reason")


def shown_reasons(tab) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {reason: link.text() for reason, link in tab.health.reason_links.items()}


def test_exclusions_by_reason_across_the_bridge_open_their_records(qtbot, qtmodeltester,
                                                                   demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo Personify360", "ALLCUST")
    assert tab.health.bridge == "Demo Personify360"
    expected = dict(rows(demo_services.engine, LATEST, bridge="Demo Personify360"))
    assert "remote_unsubscribed" in expected
    assert shown_reasons(tab) == {r: f"{n:,}" for r, n in expected.items()}
    link = tab.health.reason_links["remote_unsubscribed"]
    before = set(tab.dialogs)
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    (dialog,) = [d for d in tab.dialogs if d not in before]
    wait_jobs(qtbot, demo_services)
    qtmodeltester.check(dialog.model)
    found = [dialog.model.row_at(r) for r in range(dialog.model.rowCount())]
    assert len(found) == expected["remote_unsubscribed"]
    assert {row[2] for row in found} == {"Unsubscribed from remote system"}
    personify_groups = {n.name for n in tab.tree.source.tree.by_group.values()
                        if n.bridge.name == "Demo Personify360"}
    assert {row[4] for row in found} <= personify_groups


def test_all_bridges_add_up_every_bridge(qtbot, demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    tab.health.bridges.setCurrentText("All bridges")
    wait_jobs(qtbot, demo_services)
    expected = dict(rows(demo_services.engine, LATEST, bridge=None))
    assert shown_reasons(tab) == {r: f"{n:,}" for r, n in expected.items()}
    assert {"deactivated", "remote_unsubscribed", "status_not_accepted"} <= set(expected)


def test_a_count_that_drifts_more_than_the_setting_is_warned(qtbot, demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", BOARD)
    board = member_ids(demo_services.engine, BOARD)
    assert len(board) >= 8 and not tab.health.drift_links
    leaving = len(board) // 2  # about half the Board leaves
    with board_changed(imis_sandbox(demo_services), leave=board[:leaving]):
        click_action(qtbot, tab, tab.actions.resync)
        wait_jobs(qtbot, demo_services)
    group_id = tab.details.counts.group_id
    assert list(tab.health.drift_links) == [group_id]
    assert "⚠ Count drift: 'Board' (Demo iMIS)" in tab.details.notice.text()
    assert (f"has {len(board) - leaving} synced members, down {100 * leaving / len(board):.0f}% "
            f"against its previous run ({len(board)})") in tab.details.notice.text()
    model = tab.tree.source
    cell = model.index_of_group(group_id).siblingAtColumn(MEMBERS)
    assert model.data(cell, Qt.ItemDataRole.ForegroundRole) == WARNING
    assert "Count drift" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    click_group(qtbot, tab, "Demo iMIS", "$/Informz/Everyone")
    qtbot.mouseClick(tab.health.drift_links[group_id], Qt.MouseButton.LeftButton)
    assert tab.tree.current_node().group_id == group_id  # "Show" selects the group
    demo_services.settings.drift_warning_percent = 60
    demo_services.events.changed.emit()
    wait_jobs(qtbot, demo_services)
    assert not tab.health.drift_links and "Count drift" not in tab.details.notice.text()
