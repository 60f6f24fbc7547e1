"""A dry run's changes survive its rollback: captured before, written back after (capped)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from informz_console.store.models import Exclusion, RunChange
from informz_console.sync.requests import RowChange

PREVIEW_CAP = 10_000  # rows of each kind kept; the run's counts stay exact


@dataclass
class Preview:
    changes: list[RowChange]
    change_rows: list[dict]
    exclusion_rows: list[dict]


def _rows(conn: Connection, table, run_id: int) -> list[dict]:  # type: ignore[no-untyped-def]
    columns = [c for c in table.__table__.columns if c.name != "id"]
    query = (select(*columns).where(table.run_id == run_id).order_by(table.id).limit(PREVIEW_CAP))
    return [dict(r._mapping) for r in conn.execute(query)]


def capture_preview(conn: Connection, run_id: int) -> Preview:
    changes = _rows(conn, RunChange, run_id)
    for row in changes:
        if row["change"] == "created" or row["detail"] == "new subscriber":
            row["subscriber_id"] = None  # the subscriber id was rolled back with the rest
    return Preview(
        changes=[RowChange(r["change"], r["ams_id"], r["email"], r["reason"], r["detail"])
                 for r in changes],
        change_rows=changes,
        exclusion_rows=_rows(conn, Exclusion, run_id),
    )


def restore_preview(conn: Connection, run_id: int, preview: Preview) -> None:
    if preview.change_rows:
        conn.execute(insert(RunChange), preview.change_rows)
    if preview.exclusion_rows:
        conn.execute(insert(Exclusion), preview.exclusion_rows)
