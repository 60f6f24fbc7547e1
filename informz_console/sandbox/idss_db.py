"""What the iDSS sandbox server reads and writes, one short SQLite statement per call.

Connections come from a small pool (`check_same_thread=False`, one per concurrent request), so
every answer reflects what anyone committed before it: a contact changed through the sandbox
handle shows on the next page and in the change feed at once.

Contacts pages are keyset-paged (`contact_id > ?`), so reading a million-contact list costs the
same per page at the end as at the start.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from informz_console.sandbox.pool import ConnectionPool

CONTACT_COLUMNS = (
    "c.id, c.email, c.first_name, c.last_name, c.company, c.active, c.informz_code, c.modified"
)

# the same object as contact_json, written by SQLite
CONTACT_JSON = (
    "json_object('id', c.id, 'email', c.email, 'first_name', NULLIF(c.first_name, ''),"
    " 'last_name', NULLIF(c.last_name, ''), 'company', NULLIF(c.company, ''),"
    " 'active', json(CASE WHEN c.active THEN 'true' ELSE 'false' END),"
    " 'informz_code', c.informz_code, 'modified', c.modified)"
)


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def contact_json(row: tuple) -> dict:
    """A contact as the API shows it, from CONTACT_COLUMNS (empty names and company as null)."""
    contact_id, email, first, last, company, active, code, modified = row[:8]
    return {
        "id": contact_id,
        "email": email,
        "first_name": first or None,
        "last_name": last or None,
        "company": company or None,
        "active": bool(active),
        "informz_code": code,
        "modified": modified,
    }


class IdssDb:
    def __init__(self, db_path: str | Path) -> None:
        self._pool = ConnectionPool(db_path)
        self.connection = self._pool.connection
        self.close = self._pool.close

    # -- reads ---------------------------------------------------------------------------------
    def lists(self) -> list[dict]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT id, name, folder, created, modified, contact_count"
                " FROM distribution_lists ORDER BY id"
            ).fetchall()
        return [
            {
                "id": list_id,
                "name": name,
                "folder": folder,
                "created": created,
                "modified": modified,
                "contact_count": count,
            }
            for list_id, name, folder, created, modified, count in rows
        ]

    def contacts_page(
        self, list_id: int, after: int, limit: int
    ) -> tuple[int, list[str], int | None, bool] | None:
        """(the list's contact count, up to `limit` contacts with id > `after` as JSON texts,
        the last id returned, whether more follow); None when there is no such list. SQLite
        writes the JSON (json_object), so a 1,000-contact page costs milliseconds."""
        with self.connection() as conn:
            found = conn.execute(
                "SELECT contact_count FROM distribution_lists WHERE id = ?", (list_id,)
            ).fetchone()
            if found is None:
                return None
            rows = conn.execute(
                f"SELECT c.id, {CONTACT_JSON} FROM list_contacts lc"
                " JOIN contacts c ON c.id = lc.contact_id"
                " WHERE lc.list_id = ? AND lc.contact_id > ? ORDER BY lc.contact_id LIMIT ?",
                (list_id, after, limit + 1),
            ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1][0] if rows else None
        return int(found[0]), [text for _, text in rows], last, more

    def changes_page(self, since: int, limit: int) -> tuple[list[dict], int]:
        """(up to `limit` changes with seq > `since`, in seq order; the feed's latest seq)."""
        with self.connection() as conn:
            latest = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]
            rows = conn.execute(
                f"SELECT ch.seq, ch.kind, ch.contact_id, ch.list_ids, ch.old_email, ch.changed,"
                f" {CONTACT_COLUMNS} FROM changes ch LEFT JOIN contacts c ON c.id = ch.contact_id"
                " WHERE ch.seq > ? ORDER BY ch.seq LIMIT ?",
                (since, limit),
            ).fetchall()
        changes = []
        for seq, kind, contact_id, list_ids, old_email, changed, *contact in rows:
            change = {
                "seq": seq,
                "kind": kind,
                "contact_id": contact_id,
                "list_ids": json.loads(list_ids),
                "changed": changed,
                "contact": contact_json(contact) if contact[0] is not None else None,
            }
            if old_email is not None:
                change["old_email"] = old_email
            changes.append(change)
        return changes, int(latest)

    def contact(self, contact_id: int) -> dict | None:
        with self.connection() as conn:
            row = conn.execute(
                f"SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.id = ?", (contact_id,)
            ).fetchone()
        return None if row is None else contact_json(row)

    def contact_lists(self, contact_id: int) -> list[int]:
        with self.connection() as conn:
            return [row[0] for row in conn.execute(
                "SELECT list_id FROM list_contacts WHERE contact_id = ? ORDER BY list_id",
                (contact_id,))]

    def patch_failure(self, contact_id: int) -> tuple[int, str] | None:
        with self.connection() as conn:
            row = conn.execute(
                "SELECT status, error FROM patch_failures WHERE contact_id = ?", (contact_id,)
            ).fetchone()
        return None if row is None else (int(row[0]), row[1])

    # -- writes --------------------------------------------------------------------------------
    def set_informz_code(self, contact_id: int, code: str) -> dict | None:
        """The one write the platform makes (seed 002). Not a change of the contact: it neither
        touches `modified` nor enters the change feed, so the console never hears its own echo."""
        with self.connection() as conn, conn:
            conn.execute("UPDATE contacts SET informz_code = ? WHERE id = ?", (code, contact_id))
        return self.contact(contact_id)

    def log_patch(self, method: str, path: str, body: str, status: int, error: str | None):
        with self.connection() as conn, conn:
            conn.execute(
                "INSERT INTO patch_log (method, path, body, status, error, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (method, path, body, status, error, now_stamp()),
            )
