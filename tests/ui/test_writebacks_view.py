"""The writebacks view of the Sync logs tab (issue 5: "A writebacks view in the GUI"): the outbox
rows with their state, attempts and last error, the state filter with counts, "Retry failed"
and "Deliver now" (through `sync/outbox.py`, as `informz-console writebacks` does)."""

from __future__ import annotations

import pytest
from gui_helpers import wait_jobs
from mirror_helpers import rows
from PySide6.QtCore import Qt

from informz_console.sync.outbox import deliver_due, enqueue
from informz_console.ui.logs import format as fmt
from informz_console.ui.logs.writebacks_model import COLUMNS
from informz_console.ui.tabs.logs_tab import SyncLogsTab

IDSS, IMIS = "Demo iDSS", "Demo iMIS"


def shown(view) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    model = view.model
    return [{name: model.data(model.index(row, col)) for col, name in enumerate(COLUMNS)}
            for row in range(model.rowCount())]


def queue(services, bridge: str, kind: str, ams_id: str, **payload) -> int:  # type: ignore[no-untyped-def]
    """One writeback for the subscriber linked to `ams_id` on `bridge`; returns its id."""
    bridge_id, subscriber_id = rows(
        services.engine, "SELECT b.id, l.subscriber_id FROM bridge b JOIN subscriber_link l ON "
        "l.bridge_id = b.id WHERE b.name = :b AND l.ams_id = :a", b=bridge, a=ams_id)[0]
    key = f"{kind}:{bridge_id}:{ams_id}"
    with services.engine.begin() as conn:
        assert enqueue(conn, bridge_id=bridge_id, subscriber_id=subscriber_id, type=kind,
                       key=key, payload={"ams_id": ams_id, **payload},
                       now=services.clock.now())
    return rows(services.engine, "SELECT id FROM writeback WHERE key = :k", k=key)[0][0]


def linked_ams_id(services, bridge: str, offset: int = 0) -> str:  # type: ignore[no-untyped-def]
    return rows(services.engine, "SELECT l.ams_id FROM subscriber_link l JOIN bridge b ON "
                "b.id = l.bridge_id WHERE b.name = :b ORDER BY l.ams_id LIMIT 1 OFFSET :o",
                b=bridge, o=offset)[0][0]


def state_of(services, row_id: int) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    return rows(services.engine, "SELECT state, attempts FROM writeback WHERE id = :i",
                i=row_id)[0]


@pytest.fixture
def failed_writeback(demo_services) -> int:
    """iDSS takes no writebacks: delivering one fails for good (a row for "Retry failed")."""
    row_id = queue(demo_services, IDSS, "iUNSUB", linked_ams_id(demo_services, IDSS))
    report = deliver_due(demo_services.engine, demo_services.clock, demo_services.credentials,
                         bridge=IDSS)
    assert report.failed == 1
    assert state_of(demo_services, row_id) == ("failed", 1)
    return row_id


@pytest.fixture
def outbox(qtbot, demo_window, demo_services):  # type: ignore[no-untyped-def]
    def open_view():  # type: ignore[no-untyped-def]
        tab = demo_window.show_tab(SyncLogsTab)
        tab.show_writebacks()
        tab.reload()
        wait_jobs(qtbot, demo_services)
        return tab.writebacks
    return open_view


def test_the_view_lists_the_outbox_with_state_counts(qtbot, outbox, demo_window, demo_services,
                                                     failed_writeback, qtmodeltester):
    ready = queue(demo_services, IMIS, "iOPTOUT", linked_ams_id(demo_services, IMIS))
    view = outbox()
    qtmodeltester.check(view.model)
    listed = shown(view)
    assert [r["#"] for r in listed] == [ready, failed_writeback]  # newest first
    failed = listed[1]
    assert (failed["Bridge"], failed["Type"], failed["State"], failed["Attempts"]) == (
        IDSS, "iUNSUB", "Failed", 1)
    assert "take no writebacks" in failed["Last error"]
    assert failed["Subscriber email"]
    model = view.model
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole) == fmt.RED
    assert view.filters.state.itemText(0) == "Any state (2)"
    view.table.selectRow(1)
    full_error = rows(demo_services.engine, "SELECT last_error FROM writeback WHERE id = :i",
                      i=failed_writeback)[0][0]
    assert view.about.text().startswith(f"Writeback #{failed_writeback}: iUNSUB for ")
    assert view.about.text().endswith(f"Last error: {full_error}")
    assert demo_window.show_tab(SyncLogsTab).views.tabText(1) == "Writebacks (2)"

    view.filters.select_state("failed")
    wait_jobs(qtbot, demo_services)
    assert [r["#"] for r in shown(view)] == [failed_writeback]
    view.filters.select_state("ready")
    wait_jobs(qtbot, demo_services)
    assert [r["#"] for r in shown(view)] == [ready]
    view.filters.bridge.setCurrentIndex(view.filters.bridge.findData(IDSS))
    wait_jobs(qtbot, demo_services)
    assert shown(view) == []


def test_retry_failed_puts_a_failed_writeback_back_to_ready(qtbot, outbox, demo_window,
                                                            demo_services, failed_writeback):
    view = outbox()
    view.filters.select_state("failed")
    wait_jobs(qtbot, demo_services)
    assert [r["State"] for r in shown(view)] == ["Failed"]
    assert view.retry.isEnabled()
    qtbot.mouseClick(view.retry, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, demo_services)
    assert state_of(demo_services, failed_writeback) == ("ready", 1)
    assert demo_window.message_bar.text.startswith("1 failed writeback put back to Ready")
    assert shown(view) == []  # the "Failed" filter is empty now
    view.filters.select_state("ready")
    wait_jobs(qtbot, demo_services)
    assert [(r["#"], r["State"]) for r in shown(view)] == [(failed_writeback, "Ready")]
    assert not view.retry.isEnabled()  # nothing failed is left


def test_deliver_now_on_a_bridge_that_takes_none_says_why(qtbot, outbox, demo_window,
                                                          demo_services):
    row_id = queue(demo_services, IDSS, "iUNSUB", linked_ams_id(demo_services, IDSS))
    view = outbox()
    view.filters.bridge.setCurrentIndex(view.filters.bridge.findData(IDSS))
    wait_jobs(qtbot, demo_services)
    qtbot.mouseClick(view.deliver, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, demo_services)
    assert state_of(demo_services, row_id) == ("failed", 1)
    assert demo_window.message_bar.level == "error"
    assert demo_window.message_bar.text.startswith("1 writebacks due: 0 sent, 1 failed.")
    assert [r["State"] for r in shown(view)] == ["Failed"]


@pytest.fixture
def imis_activity(demo_services):  # type: ignore[no-untyped-def]
    """The iMIS sandbox's Activity rows and counter, put back as they were after the test."""
    imis = next(box for ams, box in demo_services.endpoints.running if ams.bridge == IMIS)
    (counter,) = imis.execute("SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME = 'Activity'")[0]
    yield imis, counter
    imis.execute("DELETE FROM Activity WHERE SEQN > ?", (counter,))
    imis.execute("UPDATE Counter SET LAST_VALUE = ? WHERE COUNTER_NAME = 'Activity'", (counter,))


def test_deliver_now_sends_a_writeback_to_the_ams(qtbot, outbox, demo_window, demo_services,
                                                 imis_activity):
    """DOMAIN iCORRECT: the corrected address is written to iMIS as an Activity row."""
    imis, counter = imis_activity
    ams_id = linked_ams_id(demo_services, IMIS, offset=3)
    row_id = queue(demo_services, IMIS, "iCORRECT", ams_id, original="a@example.org.",
                   corrected="a@example.org")
    view = outbox()
    view.filters.bridge.setCurrentIndex(view.filters.bridge.findData(IMIS))
    wait_jobs(qtbot, demo_services)
    assert [r["#"] for r in shown(view)] == [row_id]  # nothing else would reach the sandbox
    qtbot.mouseClick(view.deliver, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, demo_services)
    assert state_of(demo_services, row_id) == ("sent", 0)
    assert demo_window.message_bar.text == "1 writebacks due: 1 sent."
    written = imis.execute("SELECT ID, ACTIVITY_TYPE, UF_1, UF_2 FROM Activity WHERE SEQN > ?",
                           (counter,))
    assert written == [(ams_id, "iCORRECT", "a@example.org.", "a@example.org")]
    sent = next(r for r in shown(view) if r["#"] == row_id)
    assert sent["State"] == "Sent" and sent["Next attempt / sent (UTC)"]
