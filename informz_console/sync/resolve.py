"""Merge, part one: resolve each staged record against the mirror and apply the mirror-level
rules (duplicate email, the subscriber's status in the mirror). Writes only the stage table.

Order matters and mirrors domain/eligibility: record-level reasons were set while staging;
here a record that would still be synced may get DUPLICATE_EMAIL, then UNSUBSCRIBED /
OPTED_OUT / BAD_EMAIL from the subscriber it lands on.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from informz_console.domain.exclusions import ExclusionReason
from informz_console.domain.subscriber_status import BLOCKING_STATUS_REASON
from informz_console.sync.stage import STAGE

# A blocking status and its exclusion reason share one spelling, so the merge can copy one
# into the other.
assert all(status.value == reason.value for status, reason in BLOCKING_STATUS_REASON.items())
BLOCKING = ", ".join(f"'{status.value}'" for status in BLOCKING_STATUS_REASON)

# Records whose subscriber row is created or kept up to date even though they are not members:
# a remote opt-out is brought over as "Unsubscribed from remote system" (seed 001), and a
# subscriber unsubscribed in the mirror still gets the AMS's newest name and email.
KEEPS = f"(reason IS NULL OR reason IN ('{ExclusionReason.REMOTE_UNSUBSCRIBED.value}', {BLOCKING}))"


def keeps(alias: str) -> str:
    """KEEPS for the rows of table `alias`."""
    return KEEPS.replace("reason", f"{alias}.reason")


def drop_repeats(conn: Connection, keep_last: bool) -> int:
    """An AMS that lists one person twice: keep one row (the newest for a change feed)."""
    pick = "MAX" if keep_last else "MIN"
    # Only ids that come more than once are looked at: one pass over the ams_id index, not a
    # lookup per staged row (0.6 s of a 1M-member resync that had none).
    result = conn.execute(
        text(
            f"DELETE FROM {STAGE} WHERE ams_id IN (SELECT ams_id FROM {STAGE} "
            f"WHERE ams_id IS NOT NULL GROUP BY ams_id HAVING COUNT(*) > 1) AND seq <> "
            f"(SELECT {pick}(s2.seq) FROM {STAGE} s2 WHERE s2.ams_id = {STAGE}.ams_id)"
        )
    )
    return result.rowcount or 0


def resolve_subscribers(conn: Connection, bridge_id: int) -> None:
    """Which subscriber each record lands on: the one its AMS id is linked to on this bridge,
    else the one that already has its email (`sub_id` NULL: a new subscriber). One pass that
    rewrites only the rows that found someone: on a first sync, none. Records as last synced
    were staged resolved (sync/last_synced)."""
    if conn.dialect.name == "sqlite":
        _resolve_in_key_order(conn, bridge_id)
        return
    conn.execute(
        text(
            f"""UPDATE {STAGE} SET link_sub = x.link_sub, key_sub = x.key_sub,
                sub_id = COALESCE(x.link_sub, x.key_sub)
            FROM (SELECT st.seq AS seq, l.subscriber_id AS link_sub, s.id AS key_sub
                  FROM {STAGE} st
                  LEFT JOIN subscriber_link l ON l.bridge_id = :b AND l.ams_id = st.ams_id
                  LEFT JOIN subscriber s ON s.email_key = st.email_key
                  WHERE (l.subscriber_id IS NOT NULL OR s.id IS NOT NULL)
                    AND st.same = 0) x
            WHERE {STAGE}.seq = x.seq"""
        ),
        {"b": bridge_id},
    )


def _resolve_in_key_order(conn: Connection, bridge_id: int) -> None:
    """SQLite joins row by row, in the order of the outer table. Led by the stage in fetch
    order, an AMS whose ids come in no order (netFORUM's CustomerKeys) sent every lookup to
    another page of subscriber_link: 11 s at 1,000,000 records. Here the stage's own indexes
    lead (CROSS JOIN keeps that order), so both lookups walk their index in order, and what
    they found is written back in stage order."""
    found = "sync_found"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {found}")
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {found} (seq INTEGER PRIMARY KEY, link_sub INTEGER, "
        f"key_sub INTEGER)"
    )
    conn.execute(
        text(
            f"""INSERT INTO {found} (seq, link_sub, key_sub)
            SELECT seq, MAX(link_sub), MAX(key_sub) FROM (
                SELECT st.seq AS seq, l.subscriber_id AS link_sub, NULL AS key_sub
                FROM {STAGE} st INDEXED BY ix_stage_ams_id CROSS JOIN subscriber_link l
                    ON l.bridge_id = :b AND l.ams_id = st.ams_id
                WHERE st.ams_id IS NOT NULL AND st.same = 0
                UNION ALL
                SELECT st.seq, NULL, s.id
                FROM {STAGE} st INDEXED BY ix_stage_email_key CROSS JOIN subscriber s
                    ON s.email_key = st.email_key
                WHERE st.email_key IS NOT NULL AND st.same = 0)
            GROUP BY seq ORDER BY seq"""
        ),
        {"b": bridge_id},
    )
    conn.exec_driver_sql(
        f"UPDATE {STAGE} SET link_sub = f.link_sub, key_sub = f.key_sub, "
        f"sub_id = COALESCE(f.link_sub, f.key_sub) FROM {found} f WHERE {STAGE}.seq = f.seq"
    )  # `found` goes with the connection's temporary database, as the stage does


def mark_duplicates_of_mirror(conn: Connection, bridge_id: int) -> None:
    """The email already belongs to another subscriber: another AMS id on this bridge, or (for an
    AMS id that is already linked) any other subscriber. An unlinked subscriber with the email
    (an upload) is not a duplicate: the record attaches to it (seed 000)."""
    conn.execute(
        text(
            f"""UPDATE {STAGE} SET reason = 'duplicate_email', detail = 'email already belongs to '
            || COALESCE((SELECT 'AMS id ' || l.ams_id FROM subscriber_link l
                         WHERE l.bridge_id = :b AND l.subscriber_id = {STAGE}.key_sub),
                        'another subscriber')
            WHERE {KEEPS} AND key_sub IS NOT NULL
              AND ((link_sub IS NOT NULL AND link_sub <> key_sub)
                   OR (link_sub IS NULL AND EXISTS (SELECT 1 FROM subscriber_link l
                        WHERE l.bridge_id = :b AND l.subscriber_id = {STAGE}.key_sub)))"""
        ),
        {"b": bridge_id},
    )


def mark_duplicates_in_fetch(conn: Connection) -> None:
    """Two AMS records with one email: the one already owning it in the mirror wins, else the
    first fetched. The winner is never marked, so the outcome does not depend on row order.
    Only emails staged more than once are looked at (one pass over the email_key index).

    Among the records staged whole only: a record passed over (sync/last_synced) that the
    duplicate rule concerns is kept with its subscriber, so it owns its email in the mirror,
    linked on this bridge, and a record staged whole with that email was already marked by
    `mark_duplicates_of_mirror`; two passed over never share one (one subscriber each)."""
    rank = "(CASE WHEN {a}.link_sub = {a}.key_sub THEN 0 ELSE 1 END)"
    me, other = rank.format(a=STAGE), rank.format(a="o")
    better = f"({other} < {me} OR ({other} = {me} AND o.seq < {STAGE}.seq))"
    conn.execute(
        text(
            f"""UPDATE {STAGE} SET reason = 'duplicate_email',
                detail = 'same email as AMS id ' || (SELECT o.ams_id FROM {STAGE} o
                    WHERE o.email_key = {STAGE}.email_key AND o.same = 0 AND {keeps("o")}
                    ORDER BY {other}, o.seq LIMIT 1)
            WHERE {KEEPS} AND same = 0 AND email_key IN (SELECT k.email_key FROM {STAGE} k
                WHERE {keeps("k")} AND k.email_key IS NOT NULL AND k.same = 0
                GROUP BY k.email_key HAVING COUNT(*) > 1)
              AND EXISTS (
                SELECT 1 FROM {STAGE} o WHERE o.email_key = {STAGE}.email_key
                  AND o.same = 0 AND o.seq <> {STAGE}.seq AND {keeps("o")} AND {better})"""
        )
    )


def mark_blocked_in_mirror(conn: Connection) -> None:
    """An unsubscribe is global: an unsubscribed, opted-out or bad-email subscriber is not synced
    into any group (seed 000: "not unsubscribed or opted-out"). Once the stage knows each
    record's subscriber (stage.index_resolved): led by the few blocked subscribers (their
    partial index), not by a look-up per staged record (1,000,000 records: 0.77 s)."""
    conn.execute(
        text(
            f"""UPDATE {STAGE} SET reason = (SELECT s.status FROM subscriber s
                    WHERE s.id = {STAGE}.sub_id),
                detail = (SELECT s.status_reason FROM subscriber s WHERE s.id = {STAGE}.sub_id)
            WHERE reason IS NULL AND sub_id IN (
                SELECT s.id FROM subscriber s WHERE s.status IN ({BLOCKING}))"""
        )
    )


def move_changed_emails(conn: Connection) -> None:
    """Seed 002 / DOMAIN (iDSS): changing a contact's email creates a new subscriber. The
    record leaves the subscriber its id was linked to (which keeps its email and history) and
    lands on the one with the new email, or a new one."""
    conn.execute(
        text(
            f"""UPDATE {STAGE} SET moved_from = link_sub, link_sub = NULL, sub_id = key_sub
            WHERE link_sub IS NOT NULL AND email_key IS NOT NULL
              AND (key_sub IS NULL OR key_sub <> link_sub) AND {KEEPS}"""
        )
    )


def resolve(conn: Connection, bridge_id: int, keep_last: bool,
            email_change_moves: bool = False) -> int:
    """Part one up to the new subscribers (`mark_blocked_in_mirror` follows them); returns how
    many repeated AMS rows were dropped."""
    dropped = drop_repeats(conn, keep_last)
    resolve_subscribers(conn, bridge_id)
    if email_change_moves:
        move_changed_emails(conn)
    mark_duplicates_of_mirror(conn, bridge_id)
    mark_duplicates_in_fetch(conn)
    return dropped
