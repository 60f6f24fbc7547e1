"""A resync passes over the records that are exactly as its bridge last synced them.

Most of a nightly resync of a large group is records that did not change: staging and
comparing a million of them cost more than everything else. So each record's digest
(domain/record_digest; of its database row where the connector reads rows: sync/member_rows)
is kept in `synced_record` with where the record went, and the next resync of any group of the
bridge stages such a record by its AMS id alone, then whole from what the mirror already knows
(`fill_unchanged`, as the pages come); the merge applies the group's membership, the
exclusions and the mirror-level rules to it as to any other record.

A record is passed over only when the outcome of its last sync still holds:
- its digest is the same (the record, the accepted statuses, the rules' version);
- excluded for itself (status, email, ...), or kept and its subscriber still linked to it and
  exactly as that sync left it (`subscriber.revision`: every write to a subscriber adds one,
  so an upload, a console action or another bridge's record makes it be staged whole again).
Outcomes that depend on other records or on the mirror (a duplicate email, a subscriber
unsubscribed in the mirror) and auto-corrected emails (their writeback) are never kept.
A subscriber written elsewhere during this run's fetch is brought in line by the next resync
(its revision no longer matches).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection, text

from informz_console.domain.exclusions import ExclusionReason
from informz_console.domain.record_digest import Split, split_page
from informz_console.sync.resolve import BLOCKING, keeps
from informz_console.sync.sql import scan, sorting_in_pieces
from informz_console.sync.stage import SAME, STAGE

# Where passing over pays. Both: at 1,000,000 iMIS members on PostgreSQL (once the id table
# had statistics, fill_unchanged) an unchanged resync 60.5 -> 41.7 s, a first one 90.9 -> 101.4 s
# (keeping its records); on SQLite about the same trade.
PAYS_ON = frozenset({"sqlite", "postgresql"})

# Outcomes that are the record's own doing (everything but a duplicate and a blocked subscriber)
_OWN_OUTCOME = (f"(reason IS NULL OR reason NOT IN "
                f"('{ExclusionReason.DUPLICATE_EMAIL.value}', {BLOCKING}))")

# Which digests still hold, as one JSON object (id -> digest): the database writes it, so a
# million of them cost no Python object until the process that splits the pages reads them.
# SQLite: the link is found by its key, in the order the synced records are read (the unary
# plus keeps it off the subscriber_id index, which matched one column more and sent each
# lookup elsewhere), and the revision read from ix_subscriber_revision: 1,000,000 netFORUM Pro
# records 4.5 -> 1.6 s. PostgreSQL does as well as it can with the plain comparison (1M iMIS
# records 2.7-3.0 s; with the unary plus, 3.0-3.2 s).
_USABLE = """SELECT {agg} FROM synced_record r
    WHERE r.bridge_id = :b AND (r.subscriber_id IS NULL OR EXISTS (
        SELECT 1 FROM subscriber_link l JOIN subscriber s ON s.id = l.subscriber_id
        WHERE l.bridge_id = r.bridge_id AND l.ams_id = r.ams_id
          AND {link_sub} = r.subscriber_id AND s.revision = r.sub_revision))"""
_AGGREGATE = {"postgresql": "CAST(json_object_agg(r.ams_id, r.digest) AS TEXT)",
              "sqlite": "json_group_object(r.ams_id, r.digest)"}
_LINK_SUB = {"postgresql": "l.subscriber_id", "sqlite": "+l.subscriber_id"}


def _read_known(known_json: str) -> dict[str, int]:
    """The digests by id. orjson reads integers exactly within 64 bits, where every digest is
    (a BIGINT), so its one silent difference (connectors/json_answer) cannot arise: a million
    of them 0.9 -> 0.4 s, before the first page can be split."""
    try:
        return orjson.loads(known_json)
    except orjson.JSONDecodeError:  # text orjson refuses (a lone surrogate) and json reads
        return json.loads(known_json)


@dataclass
class LastSynced:
    """What one run knows of its bridge's last synced records. `load` before the fetch."""

    salt: bytes
    known_json: str = "{}"  # ams id -> digest
    _known: dict[str, int] | None = field(default=None, repr=False)

    def load(self, conn: Connection, bridge_id: int) -> None:
        dialect = conn.dialect.name
        query = text(_USABLE.format(agg=_AGGREGATE[dialect], link_sub=_LINK_SUB[dialect]))
        self.known_json = conn.execute(query, {"b": bridge_id}).scalar_one() or "{}"
        self._known = None

    def split(self, records: list[tuple],
              make: Callable[[tuple], tuple] | None = None) -> Split:
        """In the console's process, or in the one that reads the AMS (it is sent there).
        `make`: the records are the AMS's rows, and this builds a record of each changed one
        (sync/member_rows)."""
        if self._known is None:
            self._known = _read_known(self.known_json)
        split = split_page(records, self._known, self.salt)
        if make is not None:
            split.changed[:] = map(make, split.changed)
        return split


def fill_unchanged(conn: Connection, bridge_id: int, start: int, stop: int) -> None:
    """The records as last synced with `start <= seq < stop`, staged whole from their last sync
    and their subscriber, already resolved to it (a kept record's subscriber is the one it is
    linked to). Called as the pages come, while the console's process mostly waits on the
    AMS: in the merge, 1,000,000 of them took 2.9 s."""
    conn.execute(
        text(
            f"""INSERT INTO {STAGE} (seq, ams_id, raw_email, email, email_key, corrected,
                reason, detail, opt_out, same, link_sub, key_sub, sub_id)
            SELECT u.seq, u.ams_id, COALESCE(r.raw_email, s.email), s.email,
                COALESCE(r.email_key, s.email_key), 0, r.reason, r.detail,
                CASE WHEN r.reason = '{ExclusionReason.REMOTE_UNSUBSCRIBED.value}' THEN 1
                    ELSE 0 END, 1, s.id, s.id, s.id
            FROM {SAME} u JOIN synced_record r ON r.bridge_id = :b AND r.ams_id = u.ams_id
            LEFT JOIN subscriber s ON s.id = r.subscriber_id
            WHERE u.seq >= :start AND u.seq < :stop"""
        ),
        {"b": bridge_id, "start": start, "stop": stop},
    )


def remember(conn: Connection, bridge_id: int) -> None:
    """After the merge: each record staged whole is kept as synced, or forgotten when its
    outcome is not its own doing. Records passed over are as they were.

    Kept in AMS id order, the key of `synced_record`: random keys in fetch order sent every
    insert to another page. netFORUM's CustomerKeys, a first resync of 1,000,000: SQLite
    6.9 -> 2.4 s (the scan and the sort included), PostgreSQL 11.5 -> 9.0 s. Not so for the
    links, which have an index on another column (their inserts there went random: 4.5 -> 14 s
    on SQLite). The sort is made in pieces by worker threads (sql.sorting_in_pieces), its rows
    then appended to the key's last pages, which a small cache holds: the INSERT of 1,000,000
    netFORUM records 2.6-2.9 -> 1.4-2.0 s."""
    params = {"b": bridge_id}
    if _has_synced_records(conn, bridge_id):
        _forget_changed(conn, params)
    kept = text(
        f"""INSERT INTO synced_record (bridge_id, ams_id, digest, subscriber_id,
                sub_revision, reason, detail, raw_email, email_key)
            SELECT :b, st.ams_id, st.digest, s.id, s.revision, st.reason, st.detail,
                CASE WHEN s.email = st.raw_email THEN NULL ELSE st.raw_email END,
                CASE WHEN s.id IS NULL THEN st.email_key END
            FROM {STAGE} st {scan(conn)}
            LEFT JOIN subscriber s ON s.id = st.sub_id AND {keeps("st")}
            WHERE st.same = 0 AND st.ams_id IS NOT NULL AND st.digest IS NOT NULL
              AND st.corrected = 0 AND {_OWN_OUTCOME.replace("reason", "st.reason")}
            ORDER BY st.ams_id
            ON CONFLICT (bridge_id, ams_id) DO UPDATE SET digest = excluded.digest,
                subscriber_id = excluded.subscriber_id, sub_revision = excluded.sub_revision,
                reason = excluded.reason, detail = excluded.detail,
                raw_email = excluded.raw_email, email_key = excluded.email_key"""
    )
    with sorting_in_pieces(conn):  # SQLite: the sort by AMS id, as an index's
        conn.execute(kept, params)


def _has_synced_records(conn: Connection, bridge_id: int) -> bool:
    """A first resync has none to forget: looking for them built a list of every staged id
    (1,000,000 netFORUM records: 0.2 s)."""
    return conn.execute(text("SELECT 1 FROM synced_record WHERE bridge_id = :b LIMIT 1"),
                        {"b": bridge_id}).first() is not None


def _forget_changed(conn: Connection, params: dict) -> None:
    """A record staged whole whose outcome is not its own doing now (a duplicate, a blocked
    subscriber, a corrected email) is no longer kept as synced: the next resync stages it."""
    conn.execute(
        text(
            f"""DELETE FROM synced_record WHERE bridge_id = :b AND ams_id IN (
                SELECT ams_id FROM {STAGE} {scan(conn)} WHERE same = 0 AND ams_id IS NOT NULL
                  AND NOT ({_OWN_OUTCOME} AND corrected = 0 AND digest IS NOT NULL))"""
        ),
        params,
    )
