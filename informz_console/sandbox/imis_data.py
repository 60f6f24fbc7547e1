"""A deterministic iMIS population with the mess real databases have.

`generate(path, members, seed)` writes a fresh sandbox database: the same seed gives the same
people, addresses, preferences and activities (only the IQA documents' dates follow `now`, so
"created in the last seven days" stays true). One pass, one transaction, `executemany` over
generators in batches: a million members take seconds, not minutes.

The mess, per member (approximate rates, asserted loosely by the tests):
- Name.EMAIL missing 6% ('' mostly, NULL sometimes); invalid 2.4% (no '@', a space inside, a bad
  domain); fixable 1.5% ('x@@y.org', surrounding spaces, trailing dot); shared with another ID
  1.5% (half of those in a different case); the rest clean and unique;
- STATUS: A 78%, A-prefixed variants (AF, AR, AL) 5%, S 3%, I 11%, D 3%;
- Name_Address rows: Work 65% (preferred 70% of those), Home 45%, Other 8%, a second preferred
  Work row 1% (the lowest ADDRESS_NUM wins); their emails carry a lighter share of the same mess;
- unicode names 0.5%; Informz_Preferences rows for 97% of IDs, Informz_Topics for 90% (seed 004:
  a missing UD row must be reported, never created);
- IDs are numeric strings starting at 100001 with gaps, so they reach seven digits (string order
  is not numeric order) at about 700,000 members.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from informz_console.sandbox.bulk import bulk_load, prefetched
from informz_console.sandbox.imis_iqa import IQA_QUERIES
from informz_console.sandbox.imis_people import GenerateStats, Population, batches
from informz_console.sandbox.imis_schema import create_indexes_and_triggers, create_tables


def generate(
    path: str | Path, members: int = 5000, seed: int = 1, *, now: datetime | None = None
) -> GenerateStats:
    """Write a fresh sandbox database at `path` (replacing any file there)."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    with bulk_load(path) as conn:
        pop = Population(members, seed)
        stats = pop.stats
        create_tables(conn)
        conn.execute("BEGIN")
        for names, addresses, activities in prefetched(batches(pop), "imis-sandbox-generate"):
            conn.executemany("INSERT INTO Name VALUES (?,?,?,?,?,?,?,?,?,?,?)", names)
            conn.executemany(
                "INSERT INTO Name_Address (ADDRESS_NUM, ID, PURPOSE, EMAIL, PREFERRED_MAIL)"
                " VALUES (?,?,?,?,?)",
                addresses,
            )
            conn.executemany(
                "INSERT INTO Activity (SEQN, ID, ACTIVITY_TYPE, PRODUCT_CODE, TRANSACTION_DATE,"
                " EFFECTIVE_DATE, DESCRIPTION) VALUES (?,?,?,?,?,?,?)",
                activities,
            )
            stats.members += len(names)
            stats.addresses += len(addresses)
            stats.activities += len(activities)
        stats.preferences, stats.topics = _write_ud_tables(conn, seed)
        _write_catalogue(conn, pop, seed, now)
        conn.execute("COMMIT")
        create_indexes_and_triggers(conn)
    return pop.stats


_LEHMER = 2147483647  # 2**31 - 1


def _draw(seed: int, k: int) -> str:
    """SQL for a per-ID uniform draw in 0..999, the k-th of the seed: (ID * 48271**k + salt) mod
    (2**31 - 1) mod 1000. Set-based, so the UD tables cost one INSERT .. SELECT each."""
    factor = pow(48271, k, _LEHMER)
    salt = (seed * 7919 + k * 104729) % _LEHMER
    return f"((CAST(ID AS INTEGER) * {factor} + {salt}) % {_LEHMER} % 1000)"


def _write_ud_tables(conn: sqlite3.Connection, seed: int) -> tuple[int, int]:
    """Informz_Preferences for ~97% of IDs, Informz_Topics for ~90% (the rest have no UD row)."""
    d = [_draw(seed, k) for k in range(1, 9)]
    prefs = conn.execute(
        f"INSERT INTO Informz_Preferences SELECT ID, {d[1]} < 700, {d[2]} < 400, {d[3]} < 200,"
        f" {d[4]} < 30 FROM Name WHERE {d[0]} < 970 ORDER BY ID"
    ).rowcount
    topics = conn.execute(
        f"INSERT INTO Informz_Topics (ID, WEBINARS, JOURNAL) SELECT ID, {d[6]} < 300,"
        f" {d[7]} < 500 FROM Name WHERE {d[5]} < 900 ORDER BY ID"
    ).rowcount
    return prefs, topics


def _write_catalogue(conn: sqlite3.Connection, pop: Population, seed: int, now: datetime):
    conn.executemany(
        "INSERT INTO Counter VALUES (?, ?)",
        [
            ("Activity", pop.seqn),
            ("Name", int(pop.stats.last_id or 100000)),
            ("Name_Address", pop.address_num),
        ],
    )
    keys = random.Random(f"documents:{seed}")
    stamp = "%Y-%m-%d %H:%M:%S"
    for query in IQA_QUERIES:
        conn.execute(
            "INSERT INTO DocumentMain VALUES (?, ?, 'IQD', ?, ?, ?, ?)",
            (
                str(uuid.UUID(int=keys.getrandbits(128), version=4)).upper(),
                query.name,
                query.status,
                query.folder,
                (now - timedelta(days=query.created_days_ago)).strftime(stamp),
                (now - timedelta(days=query.updated_days_ago)).strftime(stamp),
            ),
        )
        if query.where_sql is not None:
            conn.execute("INSERT INTO Sandbox_IQA VALUES (?, ?)", (query.path, query.where_sql))
