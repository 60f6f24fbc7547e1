"""Count details of a target group (seed 000: "Why isn't my target group count what I think it
should be?"): each number opens the rows behind it, which export to CSV; the painted chart."""

from __future__ import annotations

import csv
from dataclasses import replace

from groups_helpers import EVERYONE, click_group, groups_tab
from gui_helpers import wait_jobs
from mirror_helpers import add_bridge, rows
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import event

from informz_console.store.queries.labels import reason_label
from informz_console.ui.groups.rows_dialog import RowsDialog


def opened(qtbot, tab, button) -> RowsDialog:  # type: ignore[no-untyped-def]
    """Click a count; the rows window it opens, with its key list read."""
    before = set(tab.dialogs)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    (dialog,) = [d for d in tab.dialogs if d not in before]
    wait_jobs(qtbot, tab.services)
    return dialog


def all_rows(dialog: RowsDialog) -> list[tuple]:
    return [dialog.model.row_at(r) for r in range(dialog.model.rowCount())]


def latest_run(services, remote_key: str) -> int:  # type: ignore[no-untyped-def]
    return rows(services.engine, "SELECT MAX(r.id) FROM sync_run r JOIN target_group g ON "
                                 "g.id = r.group_id WHERE g.remote_key = :k AND r.kind = "
                                 "'resync_group' AND r.mode = 'live' AND r.status = 'succeeded'",
                k=remote_key)[0][0]


def test_each_reason_opens_exactly_the_records_it_counts(qtbot, qtmodeltester, demo_window,
                                                         demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", EVERYONE)
    run_id = latest_run(demo_services, EVERYONE)
    expected = dict(rows(demo_services.engine, "SELECT reason, COUNT(*) FROM exclusion WHERE "
                                               "run_id = :r GROUP BY reason", r=run_id))
    assert len(expected) >= 3
    assert {r: link.text() for r, link in tab.details.reason_links.items()} == {
        r: f"{n:,}" for r, n in expected.items()}
    for reason, count in expected.items():
        dialog = opened(qtbot, tab, tab.details.reason_links[reason])
        qtmodeltester.check(dialog.model)
        found = all_rows(dialog)
        assert len(found) == count
        assert {row[2] for row in found} == {reason_label(reason)}
        ams_ids = {a for (a,) in rows(demo_services.engine, "SELECT ams_id FROM exclusion WHERE "
                                      "run_id = :r AND reason = :x", r=run_id, x=reason)}
        assert {row[0] for row in found} == ams_ids
        dialog.close()


def test_members_and_excluded_open_their_rows(qtbot, qtmodeltester, demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", EVERYONE)
    counts = tab.details.counts
    members = opened(qtbot, tab, tab.details.members_link)
    qtmodeltester.check(members.model)
    found = all_rows(members)
    assert len(found) == counts.members
    emails = [row[0] for row in found]
    assert emails == sorted(emails, key=str.lower)  # by email
    assert all(row[1] for row in found)  # each with its iMIS id
    excluded = opened(qtbot, tab, tab.details.excluded_link)
    assert excluded.model.rowCount() == counts.excluded_total == counts.fetched - counts.members


def test_export_to_csv_writes_the_rows_shown(qtbot, demo_window, demo_services, tmp_path,
                                             monkeypatch):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", EVERYONE)
    reason = next(iter(tab.details.counts.excluded))
    dialog = opened(qtbot, tab, tab.details.reason_links[reason])
    target = tmp_path / "excluded.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "CSV files (*.csv)")))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, demo_services)
    with target.open(newline="", encoding="utf-8") as file:
        header, *written = list(csv.reader(file))
    assert tuple(header) == dialog.rows.columns == ("AMS id", "Email", "Reason", "Detail",
                                                    "Target group")
    assert written == [["" if v is None else str(v) for v in row] for row in all_rows(dialog)]
    assert len(written) == tab.details.counts.excluded[reason]
    assert demo_window.message_bar.text == f"Exported {len(written):,} rows to {target}."


def test_the_chart_shows_the_breakdown_and_opens_rows(qtbot, demo_window, demo_services):
    tab = groups_tab(qtbot, demo_window)
    click_group(qtbot, tab, "Demo iMIS", EVERYONE)
    counts, chart = tab.details.counts, tab.details.chart
    assert chart.isVisible()
    assert [(b.key, b.value) for b in chart.bars] == [
        ("members", counts.members), *counts.excluded.items()]
    widths = [chart.bar_rect(row).width() for row in range(len(chart.bars))]
    assert widths == sorted(widths, reverse=True)  # longest bar for the largest number
    assert chart.bar_rect(0).right() <= chart.width()
    image = chart.grab().toImage()
    middle = chart.bar_rect(0).center().toPoint()
    assert image.pixelColor(middle).name() == "#3a9d5d"  # painted, in the synced colour
    before = set(tab.dialogs)
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(middle.x(), middle.y()))
    (dialog,) = [d for d in tab.dialogs if d not in before]
    wait_jobs(qtbot, demo_services)
    assert dialog.model.rowCount() == counts.members


def test_a_group_never_resynced_says_so(qtbot, demo_window):
    tab = groups_tab(qtbot, demo_window)
    synced = next(iter(tab.tree.source.tree.by_group.values())).counts
    tab.details.show_counts(replace(synced, last_run_id=None, fetched=None, excluded={}))
    assert "Not resynced yet" in tab.details.notice.text()
    assert tab.details.members_link.isEnabled() == (synced.members > 0)
    assert not tab.details.excluded_link.isEnabled()
    assert not tab.details.chart_box.isVisible()


BIG = 120_000


def big_group(engine, clock) -> None:  # type: ignore[no-untyped-def]
    """A group of BIG members, written straight into the mirror."""
    from sqlalchemy import insert

    from informz_console.store.models import Membership, Subscriber

    add_bridge(engine, clock, groups=("$/Test/Big",))
    now = clock.now()
    with engine.begin() as conn:
        conn.execute(insert(Subscriber), [
            {"id": n, "email": f"m{n:06d}@example.org", "email_key": f"m{n:06d}@example.org",
             "created_at": now, "updated_at": now} for n in range(1, BIG + 1)])
        conn.execute(insert(Membership), [{"group_id": 1, "subscriber_id": n}
                                          for n in range(1, BIG + 1)])


def test_a_big_group_opens_reading_only_the_rows_shown(qtbot, window, services, clock):
    """Issue 4: a huge group opens and scrolls without reading every member's row."""
    big_group(services.engine, clock)
    tab = groups_tab(qtbot, window)
    tab.reload()
    wait_jobs(qtbot, services)
    click_group(qtbot, tab, "iMIS", "$/Test/Big")
    assert tab.details.members_link.text() == f"{BIG:,}"
    read: list[int] = []

    def count_reads(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        if "FROM subscriber LEFT OUTER JOIN subscriber_link" in statement:
            read.append(len(parameters))

    event.listen(services.engine, "before_cursor_execute", count_reads)
    try:
        dialog = opened(qtbot, tab, tab.details.members_link)
        assert dialog.model.rowCount() == BIG
        dialog.table.viewport().repaint()
        dialog.table.scrollToBottom()
        dialog.table.viewport().repaint()
        last = dialog.model.index(BIG - 1, 0)
        assert dialog.model.data(last) == f"m{BIG:06d}@example.org"
    finally:
        event.remove(services.engine, "before_cursor_execute", count_reads)
    assert 2 <= len(read) <= 4 and sum(read) < 4 * 260  # a block at the top, one at the end
