"""Uploading subscribers from a CSV file (seed 000: Subscribers > Upload > Upload Subscribers).

`upload_csv(engine, path, clock)` is the whole operation; it returns an `UploadResult` for every
outcome a user can cause (no email column, a malformed line, cancel) instead of raising.

1. Read (upload_csv.py): the file is streamed; each row's email is judged by the same
   `EmailChecker` a sync uses, auto-correction included, and the row lands in a temporary
   staging table with its line number and, if it cannot be uploaded, why. Nothing in the
   mirror is locked or touched; cancel is checked between batches.
2. Merge: one transaction. A row repeating an earlier row's email (case-insensitively) is a
   duplicate of that line and is skipped. A new email becomes a subscriber with
   `source='upload'`, status active and no AMS id; an existing email gets only the names,
   company and personalization fields the file gives a non-empty value for. Status, AMS links
   and target-group memberships are never touched by an upload.
3. A dry run, a cancel or an error rolls the merge back: the mirror is exactly as before.

Progress: phase "read" counts bytes of the file (total: its size), then phase "merge"
counts the merge's steps.

Uploads are not written to the sync log: `sync_run.bridge_id` is required and an upload
belongs to no bridge, so the result itself carries the counts and the per-row report.

Seed 000: an uploaded subscriber has no AMS id; when a sync later brings the same email, the
merge links the AMS id to this same subscriber record (sync/resolve.py, `link_records`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)

from informz_console.domain.clock import Clock
from informz_console.domain.emails import EmailChecker, EmailVerdict
from informz_console.store.models import Subscriber
from informz_console.sync.cancel import (
    CancelToken,
    Progress,
    ProgressCallback,
    SyncCancelled,
    no_progress,
)
from informz_console.sync.locks import lock_merges
from informz_console.sync.sql import insert_many
from informz_console.sync.upload_csv import SubscriberCsv, UploadError, UploadRow
from informz_console.sync.upload_merge import (
    KEPT,
    NAMES,
    UPLOAD_STAGE,
    add_subscribers,
    find_subscribers,
    mark_duplicates,
    sort_outcomes,
    update_subscribers,
)
from informz_console.sync.verdict_cache import lookup_verdicts, save_verdicts

BATCH = 5_000  # rows judged and staged at a time,
BATCH_BYTES = 2 * 1024 * 1024  # or fewer, when the rows are long: memory follows bytes, not rows
_MEASURE_EVERY = 64  # rows between looks at the file position (a tell() is a system call)
COMMIT_EVERY = 20_000  # staged rows between commits of the (temporary) stage
MAX_REPORTED = 1_000  # rows listed per kind of issue; the counts are always complete
CANCELLED = "The upload was cancelled; the mirror is unchanged."
# json.dumps(..., sort_keys=True) builds a new encoder per call; a row's fields need one.
_fields_json = json.JSONEncoder(sort_keys=True).encode

_LIMITS = {name: Subscriber.__table__.c[name].type.length for name in NAMES}

_metadata = MetaData()
upload_stage = Table(
    UPLOAD_STAGE,
    _metadata,
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("raw_email", Text),
    Column("email", Text),
    Column("email_key", Text),
    Column("corrected", Integer),
    Column("first_name", Text),
    Column("last_name", Text),
    Column("company", Text),
    Column("fields", Text),  # JSON object of the row's non-empty personalization fields
    Column("invalid", Text),  # why the row cannot be uploaded; NULL when it can
    # resolved by the merge:
    Column("duplicate_of", Integer),  # the earlier line with the same email
    Column("sub_id", Integer),  # the existing subscriber with this email
    Column("outcome", Text),  # added | updated | unchanged
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True, slots=True)
class RowIssue:
    line: int
    value: str  # the email cell as the file holds it
    reason: str


@dataclass
class UploadResult:
    status: str  # succeeded | failed | cancelled
    dry_run: bool = False
    read: int = 0  # data rows read (blank rows are not counted)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    duplicates: int = 0
    corrected: int = 0  # uploaded with an auto-corrected email
    invalid_rows: list[RowIssue] = field(default_factory=list)  # first MAX_REPORTED
    duplicate_rows: list[RowIssue] = field(default_factory=list)
    corrected_rows: list[RowIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"

    def sentence(self) -> str:
        if self.error:
            return self.error
        add, update = ("Would add", "update") if self.dry_run else ("Added", "updated")
        return (
            f"{add} {self.added:,} subscribers, {update} {self.updated:,}, "
            f"{self.unchanged:,} unchanged; skipped {self.invalid:,} invalid and "
            f"{self.duplicates:,} duplicate rows."
        )


def upload_csv(
    engine: Engine,
    path: str | Path,
    clock: Clock,
    *,
    dry_run: bool = False,
    cancel: CancelToken | None = None,
    progress: ProgressCallback = no_progress,
) -> UploadResult:
    """Upload the subscribers in the CSV file at `path` into the mirror (see module doc)."""
    try:
        with SubscriberCsv(path) as source:
            result = UploadResult("succeeded", dry_run=dry_run, notes=list(source.notes))
            return _run(engine, clock, source, result, cancel or CancelToken(), progress)
    except UploadError as err:  # the header could not be read: nothing was started
        return UploadResult("failed", dry_run=dry_run, error=str(err))


def _run(
    engine: Engine,
    clock: Clock,
    source: SubscriberCsv,
    result: UploadResult,
    cancel: CancelToken,
    progress: ProgressCallback,
) -> UploadResult:
    with engine.connect() as conn:
        conn.execution_options(sqlite_begin="DEFERRED")  # staging locks nothing in the mirror
        try:
            learned = _stage(conn, source, result, cancel, progress)
            _merge(conn, clock.now(), learned, result, cancel, progress)
            return result
        except SyncCancelled:
            return _ended(result, "cancelled", CANCELLED)
        except UploadError as err:  # a malformed line part-way through the file
            return _ended(result, "failed", str(err))
        finally:
            if conn.in_transaction():
                conn.rollback()
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {UPLOAD_STAGE}")
            conn.commit()


def _ended(result: UploadResult, status: str, message: str) -> UploadResult:
    """An upload that did not finish: nothing was applied, so no counts of changes."""
    return UploadResult(
        status, dry_run=result.dry_run, read=result.read, notes=result.notes, error=message
    )


# -- 1. read and stage --------------------------------------------------------------------


def _stage(
    conn: Connection,
    source: SubscriberCsv,
    result: UploadResult,
    cancel: CancelToken,
    progress: ProgressCallback,
) -> dict[str, EmailVerdict]:
    """Stage every row; returns the email verdicts that cost an email-validator call."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {UPLOAD_STAGE}")
    upload_stage.create(conn)
    conn.commit()
    # One checker for the file: it remembers only the verdicts email-validator gave, and asks
    # the mirror's cache once per batch for the addresses the fast path cannot answer.
    checker = EmailChecker(lookup=lambda raws: lookup_verdicts(conn, raws))
    since_commit = 0
    for batch in _batches(source.rows(), BATCH, source.position):
        cancel.raise_if_cancelled()
        verdicts = checker.check_many([r.email for r in batch])
        insert_many(
            conn,
            UPLOAD_STAGE,
            _STAGE_COLUMNS,
            [_stage_row(r, v) for r, v in zip(batch, verdicts, strict=True)],
        )
        result.read += len(batch)
        since_commit += len(batch)
        if since_commit >= COMMIT_EVERY:
            conn.commit()
            since_commit = 0
        progress(Progress("read", source.position(), source.size))
    conn.commit()
    return checker.learned()


def _batches(
    rows: Iterable[UploadRow], size: int, position: Callable[[], int]
) -> Iterator[list[UploadRow]]:
    """Up to `size` rows, cut short once BATCH_BYTES of the file were read for them."""
    iterator = iter(rows)
    while True:
        start = position()
        batch: list[UploadRow] = []
        while len(batch) < size:
            more = list(islice(iterator, min(_MEASURE_EVERY, size - len(batch))))
            batch.extend(more)
            if len(more) < _MEASURE_EVERY or position() - start >= BATCH_BYTES:
                break
        if not batch:
            return
        yield batch


_STAGE_COLUMNS = [
    "line",
    "raw_email",
    "email",
    "email_key",
    "corrected",
    "first_name",
    "last_name",
    "company",
    "fields",
    "invalid",
]


def _stage_row(row: UploadRow, verdict: EmailVerdict) -> tuple:
    return (
        row.line,
        row.email,
        verdict.email,
        verdict.key,
        1 if verdict.corrected_from else 0,
        row.first_name,
        row.last_name,
        row.company,
        _fields_json(row.fields) if row.fields else None,
        _problem(row, verdict),
    )


def _problem(row: UploadRow, verdict: EmailVerdict) -> str | None:
    """Why the row cannot be uploaded, or None. Too long a name is refused, not cut short:
    the mirror keeps exactly what the file says or nothing."""
    if not verdict.valid:
        return verdict.reason
    for name, limit in _LIMITS.items():
        value = getattr(row, name)
        if value is not None and len(value) > limit:
            return f"The {name.replace('_', ' ')} is longer than {limit} characters."
    return None


# -- 2. merge -----------------------------------------------------------------------------


def _merge(
    conn: Connection,
    now: datetime,
    learned: dict[str, EmailVerdict],
    result: UploadResult,
    cancel: CancelToken,
    progress: ProgressCallback,
) -> None:
    conn.execution_options(sqlite_begin="IMMEDIATE")
    conn.begin()
    lock_merges(conn)
    steps = [
        lambda: conn.exec_driver_sql(
            f"CREATE INDEX ix_upload_stage_email_key ON {UPLOAD_STAGE} (email_key)"
        ),
        lambda: mark_duplicates(conn),
        lambda: find_subscribers(conn),
        lambda: sort_outcomes(conn),
        # updates first: the subscribers as the planner last saw them (after the additions,
        # PostgreSQL could take a table grown by 200,000 rows for an empty one and scan the
        # stage once per subscriber: an hour)
        lambda: update_subscribers(conn, now),
        lambda: add_subscribers(conn, now),
        lambda: save_verdicts(conn, learned),
    ]
    for number, step in enumerate(steps, start=1):
        cancel.raise_if_cancelled()
        step()
        progress(Progress("merge", number, len(steps)))
    report(conn, result)
    cancel.raise_if_cancelled()
    if result.dry_run:
        conn.rollback()
        result.notes.append("Dry run: nothing was changed; the counts are a preview.")
    else:
        conn.commit()


def report(conn: Connection, result: UploadResult) -> None:
    """Counts and the per-row issues, read before a dry run rolls the merge back."""
    outcomes = dict(
        conn.execute(
            text(
                f"SELECT outcome, COUNT(*) FROM {UPLOAD_STAGE} WHERE outcome IS NOT NULL "
                "GROUP BY outcome"
            )
        ).all()
    )
    result.added = outcomes.get("added", 0)
    result.updated = outcomes.get("updated", 0)
    result.unchanged = outcomes.get("unchanged", 0)
    result.invalid, result.invalid_rows = _issues(conn, "invalid IS NOT NULL", "invalid")
    result.duplicates, result.duplicate_rows = _issues(
        conn, "duplicate_of IS NOT NULL", "'duplicate of line ' || duplicate_of"
    )
    result.corrected, result.corrected_rows = _issues(
        conn, f"corrected = 1 AND {KEPT}", "'corrected to ' || email"
    )
    for kind, count in (
        ("invalid", result.invalid),
        ("duplicate", result.duplicates),
        ("corrected", result.corrected),
    ):
        if count > MAX_REPORTED:
            result.notes.append(
                f"Only the first {MAX_REPORTED:,} of {count:,} {kind} rows are listed."
            )
    if result.corrected:
        result.notes.append(
            f"{result.corrected:,} email addresses were auto-corrected "
            "(e.g. a doubled @ or a trailing dot); see the corrected rows."
        )


def _issues(conn: Connection, where: str, reason: str) -> tuple[int, list[RowIssue]]:
    count = conn.execute(text(f"SELECT COUNT(*) FROM {UPLOAD_STAGE} WHERE {where}")).scalar_one()
    rows = conn.execute(
        text(
            f"SELECT line, raw_email, {reason} FROM {UPLOAD_STAGE} WHERE {where} "
            f"ORDER BY line LIMIT {MAX_REPORTED}"
        )
    ).all()
    return count, [RowIssue(line, value, why) for line, value, why in rows]
