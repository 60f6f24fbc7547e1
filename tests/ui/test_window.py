"""The main window: assembled from its tabs, remembers itself, shows the role and the bridges."""

from __future__ import annotations

from gui_helpers import wait_jobs
from PySide6.QtCore import QMargins, QSize

from informz_console.ui.main_window import MainWindow
from informz_console.ui.tabs import TABS
from informz_console.ui.window_settings import window_settings


def test_every_tab_is_shown_in_order(window):
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == \
        [tab.title for tab in TABS]


def test_geometry_and_last_tab_are_remembered(qtbot, services):
    first = MainWindow(services, window_settings())
    qtbot.addWidget(first)
    first.show()
    first.resize(first.minimumSizeHint().expandedTo(first.minimumSize()).grownBy(
        QMargins(40, 30, 0, 0)))  # smaller than the default, within what the tabs need
    qtbot.waitUntil(lambda: first.size() != QSize(1280, 800))
    expected = first.size()
    first.tabs.setCurrentIndex(2)
    first.close()
    second = MainWindow(services, window_settings())
    qtbot.addWidget(second)
    assert second.tabs.currentIndex() == 2
    assert second.size() == expected
    second.close()


def test_role_indicator_follows_the_setting(window):
    assert window.status.role.text() == "Client"
    window.role_actions["staff"].trigger()
    assert window.status.role.text() == "Staff"
    assert window.services.sync.is_staff


def test_demo_bridges_show_online(qtbot, demo_window, demo_services):
    demo_window.status.check_bridges()
    wait_jobs(qtbot, demo_services)
    assert set(demo_window.status.online) == {
        "Demo iMIS", "Demo Personify360", "Demo netFORUM Pro", "Demo iDSS"}
    assert all(why is None for why in demo_window.status.online.values())


def test_a_message_from_a_tab_shows_in_the_bar(window):
    window.pages[0].tell("error", "The iMIS password was refused; enter it again.")
    assert window.message_bar.text == "The iMIS password was refused; enter it again."
    assert window.message_bar.level == "error"


def test_opening_a_mirror_that_cannot_be_opened_keeps_the_window_and_says_why(qtbot, tmp_path):
    import argparse

    from PySide6.QtWidgets import QApplication

    from informz_console.ui.app import Console

    args = argparse.Namespace(demo=False, mirror=str(tmp_path / "first.sqlite"), screenshot=None,
                              demo_members=100)
    app = Console(QApplication.instance(), args)
    assert app.open(app.first_mirror())
    first = app.window
    qtbot.addWidget(first)
    assert not app.open("postgresql+nosuchdriver://advisor@db.example.org/mirror")
    assert app.window is first  # still the mirror that works
    assert "nosuchdriver" in first.message_bar.text or "driver" in first.message_bar.text
    second_path = tmp_path / "second.sqlite"
    assert app.open(str(second_path))
    qtbot.addWidget(app.window)
    assert app.window is not first and app.window.services.mirror == str(second_path)
    assert app.window.recent_mirrors()[:2] == [str(second_path), str(tmp_path / "first.sqlite")]
    app.window.close()


def test_what_is_due_is_shown_and_runs_with_its_trigger(qtbot, night_window, night_services):
    """Seed 000 nightly rule: at night, groups created within 7 days are due; Sync > Run what
    is due runs them with the `nightly` trigger recorded, then the writebacks step."""
    from informz_console.store.queries.runs import list_runs

    night_window.due.check()
    wait_jobs(qtbot, night_services)
    due = night_window.due.due
    assert due and night_window.status.due.text() == f"Due now: {len(due)}"
    assert due[0].describe() in night_window.status.due.toolTip()
    night_window.due.run_all()
    wait_jobs(qtbot, night_services, timeout=240_000)
    assert night_window.message_bar.text.startswith(f"Ran {len(due)} due sync(s).")
    assert "Writebacks:" in night_window.message_bar.text
    with night_services.session() as session:
        triggers = {run.trigger for run in list_runs(session, limit=len(due))}
    assert triggers == {item.trigger.value for item in due}
