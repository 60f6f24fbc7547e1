"""Merge, part two: write the resolved stage into the mirror, set-based, recording every
row-level change of the run in `run_change` (what it did to whom, and why)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from informz_console.domain.subscriber_status import REMOTE_UNSUBSCRIBE_REASON
from informz_console.sync.resolve import BLOCKING, KEEPS
from informz_console.sync.sql import as_json, is_distinct, json_text, scan
from informz_console.sync.stage import STAGE

NOT_IN_QUERY = "not_in_query"

_COPIED = ("first_name", "last_name", "company")
_INSERT_CHANGE = "INSERT INTO run_change (run_id, group_id, subscriber_id, ams_id, email, change"


def _new_status(alias: str = "st", current: str = "subscriber.status") -> str:
    """Seed 001: a remote opt-out makes an active subscriber `remote_unsubscribed`; the AMS
    flag back on lifts only that status (an unsubscribe made in the platform stays)."""
    return (
        f"CASE WHEN {alias}.opt_out = 1 AND {current} = 'active' THEN 'remote_unsubscribed' "
        f"WHEN {alias}.opt_out = 0 AND {alias}.reason IS NULL "
        f"AND {current} = 'remote_unsubscribed' THEN 'active' ELSE {current} END"
    )


def create_subscribers(conn: Connection, now: datetime) -> None:
    """A subscriber for each kept record no subscriber stands for yet. Its id is handed out
    first and written on the stage, then the subscribers are inserted with those ids: looking
    each new subscriber back up by its email afterwards cost more than the insert itself
    (700,000 new subscribers with random emails, side by side in one process: SQLite
    6.4 -> 3.9 s, PostgreSQL 22 -> 8 s with the stage's fillfactor)."""
    conn.execute(text(f"UPDATE {STAGE} {scan(conn)} SET is_new = 1, sub_id = {_new_ids(conn)} "
                      f"WHERE sub_id IS NULL AND same = 0 AND {KEEPS}"))
    conn.execute(
        text(
            f"""INSERT INTO subscriber (id, email, email_key, status, status_reason, status_at,
                first_name, last_name, company, fields, source, created_at, updated_at)
            SELECT sub_id, email, email_key,
                CASE WHEN opt_out = 1 THEN 'remote_unsubscribed' ELSE 'active' END,
                CASE WHEN opt_out = 1 THEN :remote_reason END, :now,
                first_name, last_name, company, {as_json(conn, "fields")}, 'sync', :now, :now
            FROM {STAGE} WHERE is_new = 1"""
        ),
        {"now": now, "remote_reason": REMOTE_UNSUBSCRIBE_REASON},
    )


def _new_ids(conn: Connection) -> str:
    """SQL for a new subscriber id per staged row. PostgreSQL: from the id column's own
    sequence, so other consoles' inserts never collide with these. SQLite: past the highest id,
    which no one else can take meanwhile (the merge holds the write lock); ids may be skipped
    there (`seq` counts every staged record), which is harmless."""
    if conn.dialect.name == "postgresql":
        return "nextval(pg_get_serial_sequence('subscriber', 'id'))"
    highest = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM subscriber")).scalar_one()
    return f"{int(highest) + 1} + seq"


def link_records(conn: Connection, run_id: int, group_id: int | None, bridge_id: int,
                 now: datetime) -> None:
    """Every kept record's AMS id is linked to its subscriber. A record that lands on an
    existing unlinked subscriber (an upload) is recorded as `linked` (seed 000: the AMS id is
    added to the existing subscriber record, its history kept)."""
    conn.execute(
        text(
            f"""{_INSERT_CHANGE}, detail)
            SELECT :run, :grp, sub_id, ams_id, email, 'linked',
                   'AMS id added to the existing subscriber'
            FROM {STAGE} WHERE link_sub IS NULL AND is_new = 0 AND {KEEPS}"""
        ),
        {"run": run_id, "grp": group_id},
    )
    conn.execute(
        text(
            f"""INSERT INTO subscriber_link (bridge_id, ams_id, subscriber_id, linked_at)
            SELECT :b, ams_id, sub_id, :now FROM {STAGE} WHERE link_sub IS NULL AND {KEEPS}"""
        ),
        {"b": bridge_id, "now": now},
    )


def unlink_moved(conn: Connection, run_id: int, group_id: int | None, bridge_id: int) -> None:
    """iDSS: an id whose email changed is unlinked from its old subscriber (recorded in that
    subscriber's history) before `link_records` links it to the new one. The old subscriber
    no longer stands for any contact of this bridge, so it leaves every group of the bridge,
    not only the one being synced."""
    params = {"run": run_id, "grp": group_id, "b": bridge_id}
    conn.execute(
        text(
            f"""{_INSERT_CHANGE}, detail)
            SELECT :run, :grp, st.moved_from, st.ams_id, s.email, 'unlinked',
                   'the contact''s email changed to ' || st.email || ': a new subscriber'
            FROM {STAGE} st JOIN subscriber s ON s.id = st.moved_from
            WHERE st.moved_from IS NOT NULL AND {KEEPS.replace("reason", "st.reason")}"""
        ),
        params,
    )
    conn.execute(
        text(
            f"""{_INSERT_CHANGE}, reason, detail)
            SELECT :run, m.group_id, m.subscriber_id, st.ams_id, s.email, 'removed',
                   '{NOT_IN_QUERY}', 'the contact''s email changed'
            FROM {STAGE} st
            JOIN membership m ON m.subscriber_id = st.moved_from
            JOIN target_group g ON g.id = m.group_id AND g.bridge_id = :b
            JOIN subscriber s ON s.id = m.subscriber_id
            WHERE st.moved_from IS NOT NULL AND {KEEPS.replace("reason", "st.reason")}"""
        ),
        params,
    )
    _delete_removed(conn, run_id)
    conn.execute(
        text(
            f"""DELETE FROM subscriber_link WHERE bridge_id = :b AND ams_id IN (
                SELECT ams_id FROM {STAGE} WHERE moved_from IS NOT NULL AND {KEEPS})"""
        ),
        params,
    )


def _differences(conn: Connection) -> tuple[str, str]:
    """(condition that a kept record changes its subscriber, SQL text naming what changed)."""
    checks = [("email", "s.email <> st.email")]
    checks += [(c.replace("_", " "), is_distinct(conn, f"s.{c}", f"st.{c}")) for c in _COPIED]
    checks.append(("fields", is_distinct(conn, json_text(conn, "s.fields"), "st.fields")))
    checks.append(("status", f"s.status <> {_new_status('st', 's.status')}"))
    condition = " OR ".join(f"({check})" for _, check in checks)
    named = " || ".join(
        "CASE WHEN " + check + " THEN "
        + ("'email ' || s.email || ' -> ' || st.email || '; '" if name == "email"
           else f"'status ' || s.status || ' -> ' || {_new_status('st', 's.status')} || '; '"
           if name == "status" else f"'{name}; '")
        + " ELSE '' END"
        for name, check in checks
    )
    return condition, named


def update_subscribers(conn: Connection, run_id: int, group_id: int | None,
                       now: datetime) -> None:
    condition, named = _differences(conn)
    conn.execute(
        text(
            f"""{_INSERT_CHANGE}, detail)
            SELECT :run, :grp, s.id, st.ams_id, st.email, 'updated', {named}
            FROM {STAGE} st {scan(conn)} JOIN subscriber s ON s.id = st.sub_id
            WHERE st.is_new = 0 AND st.same = 0 AND {KEEPS.replace("reason", "st.reason")}
              AND ({condition})"""
        ),
        {"run": run_id, "grp": group_id},
    )
    new_status = _new_status("st")
    conn.execute(
        text(
            f"""UPDATE subscriber SET
                email = st.email, email_key = st.email_key,
                first_name = st.first_name, last_name = st.last_name, company = st.company,
                fields = {as_json(conn, "st.fields")}, updated_at = :now,
                status_reason = CASE WHEN {new_status} = subscriber.status
                    THEN subscriber.status_reason
                    WHEN st.opt_out = 1 THEN :remote_reason ELSE NULL END,
                status_at = CASE WHEN {new_status} = subscriber.status
                    THEN subscriber.status_at ELSE :now END,
                status = {new_status}, revision = subscriber.revision + 1
            FROM {STAGE} st, run_change rc
            WHERE rc.run_id = :run AND rc.change = 'updated' AND rc.subscriber_id = subscriber.id
              AND st.sub_id = subscriber.id AND st.same = 0
              AND {KEEPS.replace("reason", "st.reason")}"""
        ),
        {"run": run_id, "now": now, "remote_reason": REMOTE_UNSUBSCRIBE_REASON},
    )


def _add_members(conn: Connection, params: dict, eligible: str) -> None:
    """The staged records matching `eligible` that are not members yet become members, each
    recorded as `added` (and the membership rows are written from those records)."""
    conn.execute(
        text(
            f"""{_INSERT_CHANGE}, detail)
            SELECT :run, :grp, st.sub_id, st.ams_id, st.email, 'added',
                   CASE WHEN st.is_new = 1 THEN 'new subscriber' END
            FROM {STAGE} st WHERE {eligible} AND NOT EXISTS (
                SELECT 1 FROM membership m
                WHERE m.group_id = :grp AND m.subscriber_id = st.sub_id)"""
        ),
        params,
    )
    conn.execute(
        text(
            """INSERT INTO membership (group_id, subscriber_id, added_run_id)
            SELECT :grp, subscriber_id, :run FROM run_change
            WHERE run_id = :run AND change = 'added' AND group_id = :grp"""
        ),
        params,
    )


def sync_membership(conn: Connection, run_id: int, group_id: int, bridge_id: int) -> None:
    """The group's members become exactly the synced records: remove the rest with the reason
    the fetch gave (or "no longer returned by the AMS query"), then add the missing. Removed
    first: no member added now could be removed, and the removal walks every member (a first
    resync of 1,000,000 walked the 706,000 it had just added: 1.1 s)."""
    params = {"run": run_id, "grp": group_id, "b": bridge_id}
    conn.execute(
        text(
            f"""{_INSERT_CHANGE}, reason, detail)
            SELECT :run, :grp, m.subscriber_id, l.ams_id, s.email, 'removed',
                COALESCE(st.reason, '{NOT_IN_QUERY}'), st.detail
            FROM membership m
            JOIN subscriber s ON s.id = m.subscriber_id
            LEFT JOIN subscriber_link l ON l.subscriber_id = m.subscriber_id AND l.bridge_id = :b
            LEFT JOIN {STAGE} st ON st.ams_id = l.ams_id
            WHERE m.group_id = :grp AND NOT EXISTS (SELECT 1 FROM {STAGE} k
                WHERE k.sub_id = m.subscriber_id AND k.reason IS NULL)"""
        ),
        params,
    )
    _delete_removed(conn, run_id)
    _add_members(conn, params, "st.reason IS NULL")


def sync_staged_memberships(conn: Connection, run_id: int, group_id: int) -> None:
    """A change feed touches only the records it carries: each eligible one joins the group,
    each excluded or leaving one (and the old subscriber of a moved email) leaves it. Every
    other member stays."""
    params = {"run": run_id, "grp": group_id}
    _add_members(conn, params, "st.reason IS NULL AND st.leave = 0")
    conn.execute(
        text(
            f"""{_INSERT_CHANGE}, reason, detail)
            SELECT DISTINCT :run, :grp, m.subscriber_id, st.ams_id, s.email, 'removed',
                COALESCE(st.reason, '{NOT_IN_QUERY}'), st.detail
            FROM {STAGE} st
            JOIN membership m ON m.group_id = :grp AND m.subscriber_id IN (
                st.moved_from, st.link_sub,
                CASE WHEN st.leave = 1 OR st.reason IN ({BLOCKING}) THEN st.sub_id END)
            JOIN subscriber s ON s.id = m.subscriber_id
            WHERE (st.reason IS NOT NULL OR st.leave = 1 OR st.moved_from IS NOT NULL)
              AND NOT (st.reason IS NULL AND st.leave = 0 AND m.subscriber_id = st.sub_id)"""
        ),
        params,
    )
    _delete_removed(conn, run_id)


def remove_from_bridge_groups(conn: Connection, run_id: int, bridge_id: int) -> None:
    """A change feed (partial sync) has no group: a record that may no longer be synced
    (status not accepted, email gone, unsubscribed...) leaves every group of its bridge. Only
    its own subscriber: a duplicate's email belongs to someone else, who stays."""
    conn.execute(
        text(
            f"""{_INSERT_CHANGE}, reason, detail)
            SELECT :run, m.group_id, m.subscriber_id, st.ams_id, s.email, 'removed',
                   st.reason, st.detail
            FROM {STAGE} st
            JOIN membership m ON m.subscriber_id = COALESCE(st.link_sub,
                CASE WHEN st.reason IN ({BLOCKING}) THEN st.sub_id END)
            JOIN target_group g ON g.id = m.group_id AND g.bridge_id = :b
            JOIN subscriber s ON s.id = m.subscriber_id
            WHERE st.reason IS NOT NULL"""
        ),
        {"run": run_id, "b": bridge_id},
    )
    _delete_removed(conn, run_id)


def _delete_removed(conn: Connection, run_id: int) -> None:
    # Driven by the run's few removals (row-value IN), not by a scan of every membership.
    conn.execute(
        text(
            """DELETE FROM membership WHERE (group_id, subscriber_id) IN (
                SELECT rc.group_id, rc.subscriber_id FROM run_change rc
                WHERE rc.run_id = :run AND rc.change = 'removed')"""
        ),
        {"run": run_id},
    )


def record_created(conn: Connection, run_id: int) -> None:
    """For a change feed: new subscribers are a change of their own (no group to be added to)."""
    conn.execute(
        text(
            f"""{_INSERT_CHANGE})
            SELECT :run, NULL, sub_id, ams_id, email, 'created' FROM {STAGE}
            WHERE is_new = 1 AND {KEEPS}"""
        ),
        {"run": run_id},
    )


def record_exclusions(conn: Connection, run_id: int, group_id: int | None) -> None:
    conn.execute(
        text(
            f"""INSERT INTO exclusion (run_id, group_id, ams_id, email, email_key, reason, detail)
            SELECT :run, :grp, ams_id, raw_email, COALESCE(email_key, LOWER(TRIM(raw_email))),
                   reason, detail
            FROM {STAGE} WHERE reason IS NOT NULL"""
        ),
        {"run": run_id, "grp": group_id},
    )
