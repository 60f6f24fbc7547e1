"""The Sync logs tab on the demo mirror (issue 4): the runs with their counts, the filters
(bridge, status, trigger, since, search), a run's log lines and exclusions, a failed run's error
in red; issue 5: every run records its trigger and the log filters by it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from gui_helpers import wait_jobs
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QTableView

from informz_console.store.queries.labels import reason_label
from informz_console.store.queries.runs import list_runs, run_detail
from informz_console.sync.requests import SyncKind, SyncRequest, Trigger
from informz_console.ui.logs import format as fmt
from informz_console.ui.logs.runs_model import COLUMNS
from informz_console.ui.logs.since_filter import CHOSEN_DAY
from informz_console.ui.tabs.logs_tab import SyncLogsTab

PERSONIFY = "Demo Personify360"
EVERY_RUN = 10_000


def click_row(qtbot, view: QTableView, row: int, column: int = 0) -> None:  # type: ignore[no-untyped-def]
    index = view.model().index(row, column)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())


def cells(model, row: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {name: model.data(model.index(row, col)) for col, name in enumerate(COLUMNS)}


def shown(tab: SyncLogsTab) -> list[dict[str, str]]:
    model = tab.runs.model
    return [cells(model, row) for row in range(model.rowCount())]


def runs_in_mirror(services, **wanted):  # type: ignore[no-untyped-def]
    with services.session() as session:
        return list_runs(session, limit=EVERY_RUN, **wanted)


@pytest.fixture
def logs(qtbot, demo_window, demo_services) -> SyncLogsTab:
    tab = demo_window.show_tab(SyncLogsTab)
    tab.reload()
    wait_jobs(qtbot, demo_services)
    return tab  # type: ignore[return-value]


def _personify_group(services) -> str:  # type: ignore[no-untyped-def]
    return next(r.group for r in runs_in_mirror(services, bridge=PERSONIFY) if r.group)


@pytest.fixture
def failed_run(demo_services):  # type: ignore[no-untyped-def]
    """A manual resync of a Personify group while its sandbox refuses every request."""
    personify = next(box for ams, box in demo_services.endpoints.running
                     if ams.bridge == PERSONIFY)
    request = SyncRequest(PERSONIFY, SyncKind.RESYNC_GROUP, _personify_group(demo_services),
                          Trigger.MANUAL)
    personify.set_fault("refuse")
    try:
        result = demo_services.sync.run(request)
    finally:
        personify.set_fault(None)
    assert result.status == "failed" and result.error
    return result


def test_the_runs_table_lists_every_demo_run_with_its_counts(logs, demo_services, qtmodeltester):
    qtmodeltester.check(logs.runs.model)
    expected = runs_in_mirror(demo_services)
    rows = shown(logs)
    assert len(rows) == len(expected) > 30
    assert logs.views.tabText(0) == f"Runs ({len(expected)})"
    for row, run in zip(rows, expected, strict=True):  # newest first, as the sync log is
        assert row["Run"] == run.id
        assert (row["Bridge"], row["Target group"]) == (run.bridge, run.group or "")
        assert (row["Trigger"], row["Kind"], row["Mode"]) == (
            "Demo", fmt.kind(run.kind), "Live")
        assert row["Status"] == "Succeeded"
        assert [row[c] for c in ("Fetched", "Added", "Updated", "Removed", "Excluded")] == [
            f"{n:,}" for n in (run.fetched, run.added, run.updated, run.removed, run.excluded)]
        assert row["Started (UTC)"] == f"{run.started_at:%Y-%m-%d %H:%M:%S}"


def test_each_filter_narrows_the_runs(qtbot, logs, demo_services, failed_run):
    """Seed 000 / issue 5: every run records its trigger; the log filters by bridge, status,
    trigger, date and a search."""
    dry = demo_services.sync.run(SyncRequest(PERSONIFY, SyncKind.RESYNC_GROUP,
                                             _personify_group(demo_services), dry_run=True))
    assert dry.ok
    logs.reload()
    wait_jobs(qtbot, demo_services)
    bar = logs.runs.filters
    every = len(shown(logs))
    assert every == len(runs_in_mirror(demo_services))

    def choose(combo, value) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
        combo.setCurrentIndex(combo.findData(value))
        wait_jobs(qtbot, demo_services)
        return shown(logs)

    personify = choose(bar.bridge, PERSONIFY)
    assert {r["Bridge"] for r in personify} == {PERSONIFY}
    assert len(personify) == len(runs_in_mirror(demo_services, bridge=PERSONIFY)) < every
    failed = choose(bar.status, "failed")
    assert [r["Run"] for r in failed] == [failed_run.run_id]
    assert failed[0]["Status"] == "Failed"
    choose(bar.status, None)
    manual = choose(bar.trigger, "manual")
    assert [(r["Run"], r["Mode"]) for r in manual] == [
        (dry.run_id, "Dry run"), (failed_run.run_id, "Live")]
    choose(bar.trigger, None)
    assert len(choose(bar.bridge, None)) == every

    newest = runs_in_mirror(demo_services)[0].started_at.date()
    bar.since.choose(CHOSEN_DAY)
    assert bar.since.day.isVisible()
    bar.since.day.setDate(QDate(newest + timedelta(days=1)))
    wait_jobs(qtbot, demo_services)
    assert shown(logs) == [] and logs.views.tabText(0) == "Runs (0)"
    bar.since.day.setDate(QDate(newest))
    wait_jobs(qtbot, demo_services)
    assert len(shown(logs)) == every
    bar.since.choose(7)  # the last 7 days: the demo ran just now
    wait_jobs(qtbot, demo_services)
    assert len(shown(logs)) == every and not bar.since.day.isVisible()
    bar.since.choose(None)

    qtbot.keyClicks(bar.search, f"#{failed_run.run_id}")
    qtbot.keyClick(bar.search, Qt.Key.Key_Return)
    wait_jobs(qtbot, demo_services)
    assert [r["Run"] for r in shown(logs)] == [failed_run.run_id]


def test_selecting_a_run_shows_its_log_lines_and_exclusions(qtbot, logs, demo_services,
                                                          qtmodeltester):
    model, detail = logs.runs.model, logs.runs.detail
    row = next(r for r in range(model.rowCount()) if int(cells(model, r)["Excluded"]) > 20)
    run_id = cells(model, row)["Run"]
    click_row(qtbot, logs.runs.table, row, column=2)
    wait_jobs(qtbot, demo_services)
    with demo_services.session() as session:
        expected = run_detail(session, run_id)
    assert detail.title.text().startswith(f"Run #{run_id}")
    assert [line[2] for line in detail.log.rows] == [message for _, _, message in expected.log]
    assert not detail.error.isVisible()
    reasons = detail.exclusions.reasons
    assert {(r[0], r[1]) for r in reasons.rows} == {
        (reason_label(code), f"{n:,}") for code, n in expected.excluded_by_reason.items()}
    for model_ in (detail.log, reasons):
        qtmodeltester.check(model_)

    biggest = max(expected.excluded_by_reason, key=expected.excluded_by_reason.get)
    click_row(qtbot, detail.exclusions.reasons_view, 0)  # the most frequent reason comes first
    wait_jobs(qtbot, demo_services)
    records = detail.exclusions.rows
    qtmodeltester.check(records)
    assert records.rowCount() == expected.excluded_by_reason[biggest]
    assert {records.data(records.index(r, 2)) for r in range(records.rowCount())} == {
        reason_label(biggest)}
    assert all(records.data(records.index(r, 0)) for r in range(records.rowCount()))
    assert f"excluded by run #{run_id}" in detail.exclusions.rows_title.text()


def test_a_failed_run_shows_its_error_in_red(qtbot, logs, demo_services, failed_run):
    logs.reload()
    wait_jobs(qtbot, demo_services)
    model = logs.runs.model
    row = next(r for r in range(model.rowCount()) if cells(model, r)["Run"] == failed_run.run_id)
    assert model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole) == fmt.RED
    click_row(qtbot, logs.runs.table, row)
    wait_jobs(qtbot, demo_services)
    box = logs.runs.detail.error
    assert box.isVisible() and box.level == "error"
    assert failed_run.error in box.text().replace("&amp;", "&")
    assert "#8a1c1c" in box.styleSheet()  # red text on a pale red box


def test_ctrl_f_focuses_the_search_and_the_screenshot_shows_the_newest_run(
        qtbot, logs, demo_window, demo_services):
    logs.focus_find()
    assert logs.runs.filters.search.hasFocus()
    logs.prepare_screenshot()
    wait_jobs(qtbot, demo_services)
    newest = runs_in_mirror(demo_services)[0]
    assert logs.runs.selected_run() == newest.id
    assert logs.runs.detail.title.text().startswith(f"Run #{newest.id}")
    assert logs.runs.detail.exclusions.rows.rowCount() > 0  # its first reason's records


def test_an_empty_mirror_shows_an_empty_log(qtbot, window, services):
    tab = window.show_tab(SyncLogsTab)
    tab.reload()
    wait_jobs(qtbot, services)
    assert tab.runs.model.rowCount() == 0
    assert tab.runs.detail.pages.currentIndex() == 0  # "Select a run…"
    assert not tab.runs.select_newest()


def test_durations_read_at_their_scale():
    assert [fmt.duration(s) for s in (None, 0.0001, 0.0149, 0.9996, 1.04, 59.94, 61, 3725)] == [
        "", "1 ms", "15 ms", "1.0 s", "1.0 s", "59.9 s", "1 min 01 s", "1 h 02 min"]
