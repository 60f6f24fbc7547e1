"""The iDSS sandbox database layout: contacts, distribution lists, memberships, the change feed,
and two tables of the sandbox's own (the PATCH log and the per-contact PATCH failures).

Times are ISO-8601 UTC text (`2025-06-30T12:00:00Z`), as the REST API hands them out.
`distribution_lists.contact_count` is kept by triggers on `list_contacts`, created after the bulk
load, so the list endpoint and every contacts page can say the list's size without counting a
million rows per request.
"""

from __future__ import annotations

import sqlite3

TABLES = """
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    email TEXT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    informz_code TEXT NULL,
    modified TEXT NOT NULL
);
CREATE TABLE distribution_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    folder TEXT NULL,
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    contact_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE list_contacts (
    list_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (list_id, contact_id)
) WITHOUT ROWID;
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN
        ('created', 'updated', 'deactivated', 'list_added', 'list_removed')),
    list_ids TEXT NOT NULL,
    old_email TEXT NULL,
    changed TEXT NOT NULL
);
CREATE TABLE patch_log (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    status INTEGER NOT NULL,
    error TEXT NULL,
    at TEXT NOT NULL
);
CREATE TABLE patch_failures (
    contact_id INTEGER PRIMARY KEY,
    status INTEGER NOT NULL,
    error TEXT NOT NULL
);
CREATE TABLE sandbox_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

INDEXES_AND_TRIGGERS = """
CREATE INDEX list_contacts_by_contact ON list_contacts (contact_id, list_id);
CREATE INDEX changes_by_contact ON changes (contact_id);
CREATE TRIGGER list_contacts_count_up AFTER INSERT ON list_contacts BEGIN
    UPDATE distribution_lists SET contact_count = contact_count + 1 WHERE id = NEW.list_id;
END;
CREATE TRIGGER list_contacts_count_down AFTER DELETE ON list_contacts BEGIN
    UPDATE distribution_lists SET contact_count = contact_count - 1 WHERE id = OLD.list_id;
END;
"""


def create_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(TABLES)


def create_indexes_and_triggers(conn: sqlite3.Connection) -> None:
    """After the bulk load: the counts once with one GROUP BY, then the triggers keep them."""
    conn.execute(
        "UPDATE distribution_lists SET contact_count ="
        " (SELECT COUNT(*) FROM list_contacts WHERE list_id = distribution_lists.id)"
    )
    conn.executescript(INDEXES_AND_TRIGGERS)
