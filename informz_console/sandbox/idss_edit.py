"""Changing the iDSS sandbox as an iDSS user would: each save updates the contact and its lists
and appends to the change feed in one transaction (seed 002: "changes made in customer records or
to distribution lists also sync with Informz ... when the changes are made and saved").

One save can append several entries, in this order:
- 'updated' when the email, a name or the company changed, or the contact was reactivated
  (`old_email` set when the email changed); its list_ids are the contact's lists before the save's
  list changes;
- 'deactivated' when the contact was switched off;
- 'list_removed' with the lists unchecked, then 'list_added' with the lists checked.
A new contact appends one 'created' entry with its lists. Each list whose membership changed gets
a new `modified` time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from informz_console.sandbox.idss_db import now_stamp

UNSET = object()
_TEXT_FIELDS = ("email", "first_name", "last_name", "company")


def _lists_of(conn: sqlite3.Connection, contact_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT list_id FROM list_contacts WHERE contact_id = ? ORDER BY list_id", (contact_id,)
    )
    return [list_id for (list_id,) in rows]


def _check_lists(conn: sqlite3.Connection, list_ids: Iterable[int]) -> list[int]:
    wanted = sorted({int(i) for i in list_ids})
    known = {i for (i,) in conn.execute("SELECT id FROM distribution_lists")}
    missing = [i for i in wanted if i not in known]
    if missing:
        raise KeyError(f"No distribution list {missing[0]} in the iDSS sandbox.")
    return wanted


def _append(conn, contact_id: int, kind: str, lists: list[int], old_email, when: str) -> int:
    cursor = conn.execute(
        "INSERT INTO changes (contact_id, kind, list_ids, old_email, changed)"
        " VALUES (?, ?, ?, ?, ?)",
        (contact_id, kind, json.dumps(lists), old_email, when),
    )
    return int(cursor.lastrowid)


def _touch_lists(conn: sqlite3.Connection, list_ids: list[int], when: str) -> None:
    conn.executemany(
        "UPDATE distribution_lists SET modified = ? WHERE id = ?", [(when, i) for i in list_ids]
    )


def change_contact(
    conn: sqlite3.Connection,
    contact_id: int,
    *,
    fields: dict[str, object],
    active: bool | None,
    add_lists: Iterable[int],
    remove_lists: Iterable[int],
) -> list[int]:
    """Save one contact; returns the seqs appended to the change feed (none when nothing
    changed). Call inside a transaction."""
    row = conn.execute(
        "SELECT email, first_name, last_name, company, active FROM contacts WHERE id = ?",
        (contact_id,),
    ).fetchone()
    if row is None:
        raise KeyError(f"No contact {contact_id} in the iDSS sandbox.")
    current = dict(zip(_TEXT_FIELDS, row[:4], strict=True))
    was_active = bool(row[4])
    updates = {k: v for k, v in fields.items() if v is not UNSET and v != current[k]}
    for name in ("first_name", "last_name", "company"):
        if name in updates and updates[name] is None:
            updates[name] = ""
    now_active = was_active if active is None else bool(active)
    before = _lists_of(conn, contact_id)
    add = [i for i in _check_lists(conn, add_lists) if i not in before]
    remove = [i for i in _check_lists(conn, remove_lists) if i in before]
    when = now_stamp()
    seqs: list[int] = []
    if updates or now_active != was_active:
        assignments = ", ".join(f"{name} = ?" for name in updates)
        conn.execute(
            f"UPDATE contacts SET {assignments + ', ' if assignments else ''}active = ?,"
            " modified = ? WHERE id = ?",
            [*updates.values(), 1 if now_active else 0, when, contact_id],
        )
        if updates or now_active:
            old_email = current["email"] if "email" in updates else None
            seqs.append(_append(conn, contact_id, "updated", before, old_email, when))
        if was_active and not now_active:
            seqs.append(_append(conn, contact_id, "deactivated", before, None, when))
    if remove:
        conn.executemany(
            "DELETE FROM list_contacts WHERE list_id = ? AND contact_id = ?",
            [(i, contact_id) for i in remove],
        )
        seqs.append(_append(conn, contact_id, "list_removed", remove, None, when))
    if add:
        conn.executemany(
            "INSERT INTO list_contacts (list_id, contact_id) VALUES (?, ?)",
            [(i, contact_id) for i in add],
        )
        seqs.append(_append(conn, contact_id, "list_added", add, None, when))
    _touch_lists(conn, remove + add, when)
    return seqs


def add_contact(
    conn: sqlite3.Connection,
    *,
    email: str | None,
    first_name: str | None,
    last_name: str | None,
    company: str | None,
    lists: Iterable[int],
    active: bool = True,
) -> tuple[int, int]:
    """A new contact on `lists`: (its id, the seq of its 'created' entry)."""
    wanted = _check_lists(conn, lists)
    when = now_stamp()
    cursor = conn.execute(
        "INSERT INTO contacts (id, email, first_name, last_name, company, active, modified)"
        " VALUES ((SELECT COALESCE(MAX(id), 500000) + 1 FROM contacts), ?, ?, ?, ?, ?, ?)",
        (email, first_name or "", last_name or "", company or "", 1 if active else 0, when),
    )
    contact_id = int(cursor.lastrowid)
    conn.executemany(
        "INSERT INTO list_contacts (list_id, contact_id) VALUES (?, ?)",
        [(i, contact_id) for i in wanted],
    )
    _touch_lists(conn, wanted, when)
    return contact_id, _append(conn, contact_id, "created", wanted, None, when)
