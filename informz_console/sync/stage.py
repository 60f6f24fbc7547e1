"""The staging table one run loads its judged records into before the set-based merge.

A temporary table on the run's own connection: loading it takes no lock on the mirror (the
fetch may last minutes), and it disappears with the connection if the process dies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, Text, text

from informz_console.domain.eligibility import Judgement
from informz_console.sync.sql import insert_many

STAGE = "sync_stage"

_metadata = MetaData()
stage_table = Table(
    STAGE,
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ams_id", String(64)),
    Column("raw_email", String(400)),
    Column("email", String(400)),
    Column("email_key", String(400)),
    Column("corrected", Integer),
    Column("status", String(32)),
    Column("first_name", String(200)),
    Column("last_name", String(200)),
    Column("company", String(300)),
    Column("fields", Text),
    Column("reason", String(32)),
    Column("detail", String(400)),
    Column("opt_out", Integer),
    Column("informz_code", String(64)),  # iDSS: the code the contact carries now (not a field)
    # resolved by the merge:
    Column("link_sub", Integer),  # the subscriber this AMS id is linked to on the bridge
    Column("key_sub", Integer),  # the subscriber that already has this email
    Column("sub_id", Integer),  # the subscriber this record lands on
    Column("is_new", Integer, server_default="0"),  # 1 when this run creates that subscriber
    Column("moved_from", Integer),  # iDSS: the subscriber an email change moved this id away from
    Column("leave", Integer, server_default="0"),  # change feed: the record left this group
    prefixes=["TEMPORARY"],
)

_ROW_KEYS = [c.name for c in stage_table.columns][:15]
# iDSS carries our subscriber id as a contact field; it is not a personalization field.
CODE_FIELD = "informz_code"


def create_stage(conn: Connection) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}")
    stage_table.create(conn)


def drop_stage(conn: Connection) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}")


def index_stage(conn: Connection) -> None:
    """Indexes built after the load: cheaper than maintaining them row by row."""
    for column in ("ams_id", "email_key", "sub_id"):
        conn.exec_driver_sql(f"CREATE INDEX ix_stage_{column} ON {STAGE} ({column})")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {STAGE}")


def _fields_json(fields) -> str | None:  # type: ignore[no-untyped-def]
    if not fields:
        return None
    kept = {k: v for k, v in fields.items() if k != CODE_FIELD}
    return json.dumps(kept, sort_keys=True) if kept else None


def stage_rows(first_seq: int, judgements: Iterable[Judgement]) -> list[tuple]:
    """Plain tuples in `_ROW_KEYS` order: the loader hands them to the driver untouched."""
    rows = []
    for seq, j in enumerate(judgements, start=first_seq):
        r, e, reason = j.record, j.email, j.reason
        rows.append((
            seq,
            r.ams_id.strip() if r.ams_id else None,
            r.email,
            e.email,
            e.key,
            1 if e.corrected_from else 0,
            r.status,
            r.first_name,
            r.last_name,
            r.company,
            _fields_json(r.fields),
            reason.value if reason else None,
            j.detail or None,
            1 if r.remote_opt_out else 0,
            r.fields.get(CODE_FIELD) if r.fields else None,
        ))
    return rows


def mark_leaving(conn: Connection, ams_ids: set[str]) -> None:
    """A change feed's "removed from the list": eligible or not, the record leaves the group."""
    ids = sorted(ams_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(f":a{n}" for n in range(len(chunk)))
        conn.execute(text(f"UPDATE {STAGE} SET leave = 1 WHERE ams_id IN ({marks})"),
                     {f"a{n}": a for n, a in enumerate(chunk)})


def load(conn: Connection, rows: list[tuple]) -> None:
    insert_many(conn, STAGE, _ROW_KEYS, rows)
