"""Retention of the sync log: old sync runs and their rows are pruned, what counts read is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mirror_helpers import add_bridge, rows
from sqlalchemy import create_engine, insert

from informz_console.store.models import Exclusion, RunChange, RunLog, SyncRun
from informz_console.sync import retention
from informz_console.sync.retention import (
    DEFAULT_RETENTION_DAYS,
    prune_runs,
    retention_days,
    set_retention_days,
)

G, H = "$/Test/Members", "$/Test/Board"


@pytest.fixture
def groups(mirror, clock) -> dict[str, int]:
    add_bridge(mirror, clock, groups=(G, H))
    return dict(rows(mirror, "SELECT remote_key, id FROM target_group"))


def add_run(  # type: ignore[no-untyped-def]
    mirror,
    clock,
    days_ago: float | None,
    group: int | None = None,
    *,
    status: str = "succeeded",
    mode: str = "live",
    kind: str = "resync_group",
    children: int = 2,
) -> int:
    """A run that finished `days_ago` (None: still running), with `children` rows in each of
    run_log, run_change and exclusion."""
    finished = None if days_ago is None else clock.now() - timedelta(days=days_ago)
    started = finished or clock.now()
    with mirror.begin() as conn:
        run_id = conn.execute(
            insert(SyncRun).values(
                bridge_id=1,
                group_id=group,
                trigger="manual",
                kind=kind,
                mode=mode,
                status=status,
                started_at=started,
                finished_at=finished,
            )
        ).inserted_primary_key[0]
        for n in range(children):
            conn.execute(
                insert(RunLog).values(run_id=run_id, at=started, level="info", message=f"line {n}")
            )
            conn.execute(insert(RunChange).values(run_id=run_id, group_id=group, change="added"))
            conn.execute(
                insert(Exclusion).values(run_id=run_id, group_id=group, reason="invalid_email")
            )
    return run_id


def run_ids(mirror) -> list[int]:  # type: ignore[no-untyped-def]
    return [r[0] for r in rows(mirror, "SELECT id FROM sync_run ORDER BY id")]


def child_run_ids(mirror, table: str) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted({r[0] for r in rows(mirror, f"SELECT run_id FROM {table}")})


def test_old_runs_are_pruned_with_their_rows_and_recent_ones_kept(mirror, clock, groups):
    old1 = add_run(mirror, clock, 200, groups[G])
    old2 = add_run(mirror, clock, 91, groups[G])
    recent = add_run(mirror, clock, 89, groups[G])
    newest = add_run(mirror, clock, 1, groups[G])
    result = prune_runs(mirror, clock, keep_days=90)
    assert run_ids(mirror) == [recent, newest]
    assert (result.runs, result.log_lines, result.changes, result.exclusions) == (2, 4, 4, 4)
    for table in ("run_log", "run_change", "exclusion"):
        assert child_run_ids(mirror, table) == [recent, newest]
    assert old1 not in run_ids(mirror) and old2 not in run_ids(mirror)
    assert result.sentence() == (
        "Pruned 2 sync runs finished before 2026-08-04 (4 log lines, 4 row changes, 4 exclusions)."
    )


def test_newest_run_of_each_group_is_kept_however_old(mirror, clock, groups):
    """Counts and explain read the latest run's exclusions: it stays, and so does the latest
    run that applied (a failed or dry run after it holds no membership)."""
    older = add_run(mirror, clock, 400, groups[H])
    applied = add_run(mirror, clock, 300, groups[H])
    dry = add_run(mirror, clock, 250, groups[H], mode="dry_run")
    failed = add_run(mirror, clock, 200, groups[H], status="failed")
    prune_runs(mirror, clock, keep_days=90)
    assert run_ids(mirror) == [applied, failed]
    assert older not in run_ids(mirror) and dry not in run_ids(mirror)
    assert child_run_ids(mirror, "exclusion") == [applied, failed]


def test_running_runs_are_never_pruned(mirror, clock, groups):
    add_run(mirror, clock, 300, groups[G])
    running = add_run(mirror, clock, None, groups[G], status="running")  # no finish time
    stale = add_run(mirror, clock, 300, groups[G], status="running")  # finish time, no status
    prune_runs(mirror, clock, keep_days=90)
    assert running in run_ids(mirror) and stale in run_ids(mirror)


def test_newest_run_of_each_groupless_kind_is_kept(mirror, clock, groups):
    add_run(mirror, clock, 500, kind="refresh_list")
    refresh = add_run(mirror, clock, 400, kind="refresh_list")
    add_run(mirror, clock, 300, kind="partial")
    partial = add_run(mirror, clock, 200, kind="partial")
    prune_runs(mirror, clock, keep_days=90)
    assert run_ids(mirror) == [refresh, partial]


def test_a_large_prune_goes_in_batches(mirror, clock, groups, monkeypatch):
    monkeypatch.setattr(retention, "RUN_BATCH", 3)
    monkeypatch.setattr(retention, "ROW_CHUNK", 4)
    for day in range(200, 100, -10):
        add_run(mirror, clock, day, groups[G], children=5)
    keep = add_run(mirror, clock, 5, groups[G], children=5)
    result = prune_runs(mirror, clock, keep_days=90)
    assert (result.runs, result.log_lines, result.exclusions) == (10, 50, 50)
    assert run_ids(mirror) == [keep]
    assert rows(mirror, "SELECT COUNT(*) FROM run_change") == [(5,)]


def test_child_rows_go_even_without_foreign_key_cascades(mirror, clock, groups, tmp_path):
    """open_engine turns SQLite's foreign keys on, but the prune does not rely on the cascade,
    so PostgreSQL and any SQLite connection behave the same."""
    with mirror.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    old = add_run(mirror, clock, 200, groups[G])
    add_run(mirror, clock, 1, groups[G])
    plain = create_engine(mirror.url)  # pysqlite's default: foreign keys off
    with plain.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 0
    prune_runs(plain, clock, keep_days=90)
    plain.dispose()
    for table in ("run_log", "run_change", "exclusion"):
        assert old not in child_run_ids(mirror, table)


# -- the setting ----------------------------------------------------------------------------


def test_retention_days_is_a_mirror_setting(mirror):
    assert retention_days(mirror) == DEFAULT_RETENTION_DAYS == 90
    set_retention_days(mirror, 30)
    set_retention_days(mirror, 45)  # overwrites
    assert retention_days(mirror) == 45
    assert rows(mirror, "SELECT name, value FROM setting") == [("retention_days", "45")]


@pytest.mark.parametrize("days", [0, 3651, -5, 2.5, "30", True])
def test_retention_outside_1_to_3650_days_is_one_clear_sentence(mirror, days):
    with pytest.raises(ValueError, match=r"^Sync runs are kept between 1 and 3,650 days; "):
        set_retention_days(mirror, days)
    assert retention_days(mirror) == 90


def test_prune_uses_the_setting_by_default(mirror, clock, groups):
    set_retention_days(mirror, 10)
    add_run(mirror, clock, 20, groups[G])
    kept = add_run(mirror, clock, 5, groups[G])
    assert prune_runs(mirror, clock).runs == 1
    assert run_ids(mirror) == [kept]


def test_an_unreadable_setting_falls_back_to_the_default(mirror):
    with mirror.begin() as conn:
        conn.exec_driver_sql("INSERT INTO setting (name, value) VALUES ('retention_days', 'x')")
    assert retention_days(mirror) == 90


def test_the_sync_service_prunes_once_a_day(mirror, credentials, clock):
    """The mirror does not grow without bound: a sync run prunes what is past retention."""
    from static_connector import StaticAms, StaticConnector

    from informz_console.domain.records import RemoteRecord
    from informz_console.sync.requests import SyncKind, SyncRequest
    from informz_console.sync.service import SyncService

    add_bridge(mirror, clock, groups=("A", "B"))
    credentials.set("bridge:imis:iMIS", "pw")
    ams = StaticAms(groups={"A": [RemoteRecord("1", "a@example.org", "A")], "B": []})
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda bridge, creds: StaticConnector(ams))
    old = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, "A")).run_id
    service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, "A"))
    clock.advance(days=100)
    service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, "B"))
    assert rows(mirror, "SELECT COUNT(*) FROM sync_run WHERE id = :r", r=old) == [(0,)]
