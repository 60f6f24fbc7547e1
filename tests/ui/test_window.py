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


def opened(qtbot, console, mirror: str):
    """Open `mirror` in the console and wait for the opening to end."""
    opening = console.open(mirror)
    assert opening is not None
    with qtbot.waitSignal(opening.finished, timeout=60_000):
        pass
    return console.window


def started_console(tmp_path):
    import argparse

    from PySide6.QtWidgets import QApplication

    from informz_console.ui.app import Console

    args = argparse.Namespace(demo=False, mirror=str(tmp_path / "first.sqlite"), screenshot=None,
                              demo_members=100)
    return Console(QApplication.instance(), args)


def test_opening_a_mirror_that_cannot_be_opened_keeps_the_window_and_says_why(qtbot, tmp_path):
    app = started_console(tmp_path)
    first = opened(qtbot, app, app.first_mirror())
    qtbot.addWidget(first)
    assert first.services.mirror == str(tmp_path / "first.sqlite")
    assert opened(qtbot, app, "postgresql+nosuchdriver://advisor@db.example.org/mirror") is first
    assert "nosuchdriver" in first.message_bar.text or "driver" in first.message_bar.text
    second_path = tmp_path / "second.sqlite"
    second = opened(qtbot, app, str(second_path))
    qtbot.addWidget(second)
    assert second is not first and second.services.mirror == str(second_path)
    assert second.recent_mirrors()[:2] == [str(second_path), str(tmp_path / "first.sqlite")]
    second.close()
    app.close()


def test_a_first_mirror_that_cannot_be_opened_opens_the_default_one_saying_why(
        qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = started_console(tmp_path)
    opening = app.open("postgresql+nosuchdriver://advisor@db.example.org/mirror")
    qtbot.waitUntil(lambda: app.window is not None and app.opening is None, timeout=60_000)
    qtbot.addWidget(app.window)
    assert app.window.services.mirror.endswith("mirror.sqlite")
    assert str(tmp_path / "data") in app.window.services.mirror
    assert "driver" in app.window.message_bar.text and app.window.message_bar.level == "error"
    assert opening is not None
    app.window.close()
    app.close()


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


def test_an_old_mirror_opens_behind_a_dialog_the_window_stays_live_and_cancel_keeps_it(
        qtbot, tmp_path):
    """Opening a mirror runs off the GUI thread: while the old mirror waits for another
    program's write lock the window still handles events, the dialog shows, and Cancel leaves
    the mirror at its version and the window on the mirror it had. Then it opens, upgraded."""
    import sqlite3

    from old_mirror import old_mirror, version_and_rows
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QPushButton

    app = started_console(tmp_path)
    first = opened(qtbot, app, app.first_mirror())
    qtbot.addWidget(first)
    old = tmp_path / "old.sqlite"
    old_mirror(old, "0003")
    holder = sqlite3.connect(old, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the upgrade waits for this (up to the busy timeout)
    try:
        opening = app.open(str(old))
        qtbot.waitUntil(lambda: opening.dialog.isVisible(), timeout=5_000)
        assert opening.dialog.labelText().startswith(f"Opening the mirror {old}")
        ticks = []
        QTimer.singleShot(0, lambda: ticks.append("the GUI thread ran"))
        qtbot.waitUntil(lambda: bool(ticks), timeout=1_000)
        opening.job.progressed.emit("upgrade", 0, 1)  # as the job tells of a one-step upgrade
        assert "for this version of the console: step 1 of 1." in opening.dialog.labelText()
        cancel = opening.dialog.findChild(QPushButton)
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        assert opening.dialog.labelText() == "Cancelling after the step in progress…"
        assert not cancel.isEnabled()
    finally:
        holder.rollback()
        holder.close()
    with qtbot.waitSignal(opening.cancelled, timeout=15_000):
        pass
    assert app.window is first and app.opening is None
    assert version_and_rows(old) == ("0003", [("Ann@Example.org", "100001", 1)])
    upgraded = opened(qtbot, app, str(old))
    qtbot.addWidget(upgraded)
    assert upgraded is not first and version_and_rows(old)[0] == "0008"
    upgraded.close()
    app.close()
