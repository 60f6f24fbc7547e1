"""The upload's merge statements: the staged rows against the mirror's subscribers, set-based.

Only subscribers are touched: status, AMS links and memberships never change on an upload.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from informz_console.domain.subscriber_status import SubscriberStatus
from informz_console.sync.sql import analyze, as_json, is_distinct

UPLOAD_STAGE = "upload_stage"
NAMES = ("first_name", "last_name", "company")
KEPT = "invalid IS NULL AND duplicate_of IS NULL"


def mark_duplicates(conn: Connection) -> None:
    """A later row with an email already given (case-insensitively) is a duplicate of the
    first row that gave it; the first row's values are the ones uploaded."""
    analyze(conn, UPLOAD_STAGE)  # the merge's lookups by email_key use the index just built
    conn.execute(
        text(
            f"""UPDATE {UPLOAD_STAGE} SET duplicate_of = (SELECT MIN(o.line) FROM {UPLOAD_STAGE} o
            WHERE o.email_key = {UPLOAD_STAGE}.email_key AND o.invalid IS NULL
              AND o.line < {UPLOAD_STAGE}.line)
        WHERE invalid IS NULL"""
        )
    )


def find_subscribers(conn: Connection) -> None:
    conn.execute(
        text(
            f"""UPDATE {UPLOAD_STAGE} SET sub_id = (SELECT s.id FROM subscriber s
            WHERE s.email_key = {UPLOAD_STAGE}.email_key)
        WHERE {KEPT}"""
        )
    )


def sort_outcomes(conn: Connection) -> None:
    conn.execute(
        text(
            f"""UPDATE {UPLOAD_STAGE} SET outcome = CASE WHEN sub_id IS NULL THEN 'added'
            WHEN EXISTS (SELECT 1 FROM subscriber s WHERE s.id = {UPLOAD_STAGE}.sub_id
                AND ({_changes(conn, "s", UPLOAD_STAGE)})) THEN 'updated'
            ELSE 'unchanged' END
        WHERE {KEPT}"""
        )
    )
    # PostgreSQL plans the updates by outcome from statistics: those taken before the outcomes
    # were filled say there are none, and it chose a scan of the stage per subscriber (minutes)
    analyze(conn, UPLOAD_STAGE)


def _changes(conn: Connection, sub: str, row: str) -> str:
    """The row gives a non-empty value its subscriber does not have yet."""
    checks = [
        f"({row}.{n} IS NOT NULL AND {is_distinct(conn, f'{sub}.{n}', f'{row}.{n}')})"
        for n in NAMES
    ]
    merged = _merged_fields(conn, f"{sub}.fields", f"{row}.fields")
    current = _fields_object(conn, f"{sub}.fields")
    checks.append(f"({row}.fields IS NOT NULL AND {merged} <> {current})")
    return " OR ".join(checks)


def _fields_object(conn: Connection, column: str) -> str:
    """A subscriber's personalization fields as a JSON object; `{}` when it has none (SQL NULL
    or a JSON null, which the ORM writes for None)."""
    if conn.dialect.name == "sqlite":
        return f"(CASE WHEN json_type({column}) = 'object' THEN json({column}) ELSE '{{}}' END)"
    value = f"CAST({column} AS JSONB)"
    return (
        f"(CASE WHEN jsonb_typeof({value}) = 'object' THEN {value} ELSE CAST('{{}}' AS JSONB) END)"
    )


def _merged_fields(conn: Connection, column: str, uploaded: str) -> str:
    """The subscriber's fields with the uploaded ones set on top (others kept)."""
    if conn.dialect.name == "sqlite":
        return f"json_patch({_fields_object(conn, column)}, {uploaded})"
    return f"({_fields_object(conn, column)} || CAST({uploaded} AS JSONB))"


def add_subscribers(conn: Connection, now: datetime) -> None:
    """A new email: an active subscriber from the upload, with no AMS id (seed 000)."""
    conn.execute(
        text(
            f"""INSERT INTO subscriber (email, email_key, status, status_at, first_name,
                last_name, company, fields, source, created_at, updated_at)
            SELECT email, email_key, :active, :now, first_name, last_name, company,
                {as_json(conn, "fields")}, 'upload', :now, :now
            FROM {UPLOAD_STAGE} WHERE outcome = 'added'"""
        ),
        {"now": now, "active": SubscriberStatus.ACTIVE.value},
    )


def update_subscribers(conn: Connection, now: datetime) -> None:
    """An existing email: only the values the file gives; status, links and memberships are
    the sync's and the subscriber's own, never an upload's."""
    names = ", ".join(f"{n} = COALESCE(st.{n}, subscriber.{n})" for n in NAMES)
    merged = as_json(conn, _merged_fields(conn, "subscriber.fields", "st.fields"))
    conn.execute(
        text(
            f"""UPDATE subscriber SET {names},
                fields = CASE WHEN st.fields IS NULL THEN subscriber.fields ELSE {merged} END,
                updated_at = :now, revision = subscriber.revision + 1
            FROM {UPLOAD_STAGE} st WHERE st.sub_id = subscriber.id AND st.outcome = 'updated'"""
        ),
        {"now": now},
    )


# -- the report ---------------------------------------------------------------------------
