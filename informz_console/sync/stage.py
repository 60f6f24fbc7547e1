"""The staging table one run loads its judged records into before the set-based merge.

A temporary table on the run's own connection: loading it takes no lock on the mirror (the
fetch may last minutes), and it disappears with the connection if the process dies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import repeat

from sqlalchemy import BigInteger, Column, Connection, Integer, MetaData, String, Table, Text, text

from informz_console.domain.eligibility import Judgement
from informz_console.domain.record_digest import staged_id
from informz_console.domain.storable_text import made_storable, storable, without_lone_surrogates
from informz_console.sync.fields_json import CODE_FIELD, fields_json
from informz_console.sync.sql import analyze, insert_many, sorting_in_pieces

STAGE = "sync_stage"
COMMIT_EVERY = 20_000  # staged rows between commits of the (temporary) stage

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
    Column("digest", BigInteger),  # the record's digest, kept for the next resync (last_synced)
    # 1: as last synced, staged from what the mirror knows (last_synced.fill_unchanged)
    Column("same", Integer, server_default="0"),
    # resolved by the merge:
    Column("link_sub", Integer),  # the subscriber this AMS id is linked to on the bridge
    Column("key_sub", Integer),  # the subscriber that already has this email
    Column("sub_id", Integer),  # the subscriber this record lands on
    Column("is_new", Integer, server_default="0"),  # 1 when this run creates that subscriber
    Column("moved_from", Integer),  # iDSS: the subscriber an email change moved this id away from
    Column("leave", Integer, server_default="0"),  # change feed: the record left this group
    prefixes=["TEMPORARY"],
    # PostgreSQL writes a new version of a row it updates, and resolving updates most of the
    # stage: with room left in each page, and no index yet on what is updated (index_resolved
    # comes after), the new version stays in the page and no index is touched. 700,000 new
    # subscribers' ids set on the stage: 15 -> 3.2 s.
    postgresql_with={"fillfactor": 50},
)

# The records as last synced, by id alone as they are fetched; each batch is then staged whole
# from what the mirror knows (sync/last_synced.fill_unchanged).
SAME = "sync_same"
same_table = Table(
    SAME,
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ams_id", String(64)),
    prefixes=["TEMPORARY"],
)

_ROW_KEYS = [c.name for c in stage_table.columns][:16]
# Text an AMS may hand over at any length is cut to its column (PostgreSQL refuses longer text;
# the subscriber's name columns are as wide). Checked by hand: this runs once per record.
_W = {k: stage_table.c[k].type.length for k in ("raw_email", "status", "first_name",
                                               "last_name", "company", "detail", "informz_code")}
_RAW, _STATUS, _FIRST, _LAST = _W["raw_email"], _W["status"], _W["first_name"], _W["last_name"]
_COMPANY, _DETAIL, _CODE = _W["company"], _W["detail"], _W["informz_code"]
_WIDTHS = [(_ROW_KEYS.index(k), width) for k, width in _W.items()]
_FIELDS = _ROW_KEYS.index("fields")


def create_stage(conn: Connection) -> None:
    _drop_stage(conn)
    stage_table.create(conn)
    same_table.create(conn)


def _drop_stage(conn: Connection) -> None:
    for table in (STAGE, SAME):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


def discard_stage(conn: Connection) -> None:
    """The stage gone once a run has ended. SQLite drops a table page by page (1.6 s for a
    million-row stage) but discards a connection's whole temporary database when it closes
    (0.04 s): there the connection is closed, not returned to the pool."""
    if conn.dialect.name == "sqlite":
        conn.invalidate()
    else:
        _drop_stage(conn)
        conn.commit()


def index_stage(conn: Connection) -> None:
    """Indexes built after the load: cheaper than maintaining them row by row. The lookups that
    resolve the stage need these two; `index_resolved` adds the one on what resolving fills."""
    # Each with what the queries over it test, so they read the index alone, not a table row
    # per entry: `same` for resolving only the records staged whole (resolve_subscribers, 2.5
    # -> 0.2 s when 976,000 of 1,000,000 were passed over), the reason for finding the emails
    # staged twice among the kept records (mark_duplicates_in_fetch, 2.9 -> 0.5 s). Emails are
    # looked up for the records staged whole only (those passed over own theirs: resolve.py),
    # so only theirs are indexed (976,000 of 1,000,000 passed over: index_stage 1.76 -> 0.46 s);
    # `same` is in it all the same, or SQLite reads each row to test what the index implies.
    with sorting_in_pieces(conn):
        conn.exec_driver_sql(f"CREATE INDEX ix_stage_ams_id ON {STAGE} (ams_id, same)")
        conn.exec_driver_sql(
            f"CREATE INDEX ix_stage_email_key ON {STAGE} (email_key, reason, same) WHERE same = 0")
    analyze(conn, STAGE)


def index_resolved(conn: Connection) -> None:
    """The index on the subscriber each record lands on, built once it is known (after the new
    subscribers got theirs): resolving and creating rewrite `sub_id` on nearly every row, and
    an index already there was updated row by row."""
    with sorting_in_pieces(conn):
        conn.exec_driver_sql(f"CREATE INDEX ix_stage_sub_id ON {STAGE} (sub_id)")
    analyze(conn, STAGE)  # PostgreSQL: the statistics taken before resolving had no sub_id


def stage_rows(seqs: Iterable[int], judgements: Iterable[Judgement],
               digests: Iterable[int] | None = None) -> list[tuple]:
    """Plain tuples in `_ROW_KEYS` order: the loader hands them to the driver untouched."""
    rows = []
    for seq, j, digest in zip(seqs, judgements, digests or repeat(None), strict=False):
        r, e, reason = j.record, j.email, j.reason
        row = (
            seq,
            staged_id(r.ams_id),
            r.email,
            e.email,
            e.key,
            1 if e.corrected_from else 0,
            r.status,
            r.first_name,
            r.last_name,
            r.company,
            fields_json(r.fields),
            reason.value if reason else None,
            j.detail or None,
            1 if r.remote_opt_out else 0,
            r.fields.get(CODE_FIELD) if r.fields else None,
            digest,
        )
        rows.append(row if _fits(row) else _fitted(row))
    return rows


def _fits(row: tuple) -> bool:
    _, ams_id, raw, _, _, _, status, first, last, company, fields, _, detail, _, code, _ = row
    if ((raw is not None and len(raw) > _RAW) or (status is not None and len(status) > _STATUS)
            or (first is not None and len(first) > _FIRST)
            or (last is not None and len(last) > _LAST)
            or (company is not None and len(company) > _COMPANY)
            or (detail is not None and len(detail) > _DETAIL)
            or (code is not None and len(code) > _CODE)):
        return False
    # `fields` is escaped JSON: a "\\ud" there is half of a pair, or a pair (a character
    # beyond the BMP), which _fitted tells apart
    return storable(f"{ams_id}{raw}{status}{first}{last}{company}{detail}{code}") and (
        fields is None or "\\ud" not in fields)


def _fitted(row: tuple) -> tuple:
    cells = [made_storable(c) if isinstance(c, str) else c for c in row]
    for n, width in _WIDTHS:
        if cells[n] is not None:
            cells[n] = cells[n][:width]
    if cells[_FIELDS] is not None and "\\ud" in cells[_FIELDS]:
        # read back, a pair is one character again and a half is a lone surrogate
        fields = json.loads(cells[_FIELDS])
        cells[_FIELDS] = fields_json({
            without_lone_surrogates(k): without_lone_surrogates(v) if isinstance(v, str) else v
            for k, v in fields.items()})
    return tuple(cells)


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


def load_same(conn: Connection, seqs: Iterable[int], ams_ids: Iterable[str]) -> None:
    """Records as last synced, by their id alone (sync/last_synced stages them whole)."""
    insert_many(conn, SAME, ["seq", "ams_id"], list(zip(seqs, ams_ids, strict=True)))
