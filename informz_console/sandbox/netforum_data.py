"""The netFORUM sandbox database: customers, messaging job queries, personalization fields.

`generate(path, members, seed)` writes a fresh SQLite file; the same seed gives the same customers
and query keys (only the queries' created and last-used dates follow `now`, so "created in the
last seven days" stays true). One transaction, `executemany` in batches built on a second thread:
a million customers take well under a minute.

Tables (the sandbox's own layout; clients only ever see it through xWeb):
- `Customer(RecordNumber INTEGER PRIMARY KEY, CustomerKey TEXT UNIQUE, CustomerType, FirstName,
  LastName, Company, Email, DoNotEmail 0|1, MemberStatus, MemberType, Chapter, JoinDate, Board,
  Conference2025, Gala2024)` (rates in netforum_people);
- `MessagingJobQuery(QueryKey TEXT PRIMARY KEY, QueryName, Folder, CreatedDate, LastUsedDate,
  Active, WhereSql)`: a query's members are `SELECT .. FROM Customer WHERE <WhereSql>`; inactive
  queries are not listed;
- `PersonalizationField(Position INTEGER PRIMARY KEY, FieldName, DataType)`;
- `WritebackLog(Id INTEGER PRIMARY KEY, CustomerKey, Action, ActionDate, Reason, ReceivedAt,
  DoNotEmail)`: every WriteBack the server accepted.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from informz_console.sandbox.bulk import bulk_load, prefetched
from informz_console.sandbox.netforum_people import (
    COLUMNS,
    LAST_DAY,
    Customers,
    GenerateStats,
    batches,
)

SCHEMA = """
CREATE TABLE Customer (
    RecordNumber INTEGER PRIMARY KEY,
    CustomerKey TEXT NOT NULL,
    CustomerType TEXT NOT NULL,
    FirstName TEXT,
    LastName TEXT,
    Company TEXT,
    Email TEXT,
    DoNotEmail INTEGER NOT NULL DEFAULT 0,
    MemberStatus TEXT,
    MemberType TEXT,
    Chapter TEXT,
    JoinDate TEXT,
    Board INTEGER NOT NULL DEFAULT 0,
    Conference2025 INTEGER NOT NULL DEFAULT 0,
    Gala2024 INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE MessagingJobQuery (
    QueryKey TEXT PRIMARY KEY,
    QueryName TEXT NOT NULL,
    Folder TEXT NOT NULL,
    CreatedDate TEXT NOT NULL,
    LastUsedDate TEXT,
    Active INTEGER NOT NULL DEFAULT 1,
    WhereSql TEXT NOT NULL
);
CREATE TABLE PersonalizationField (
    Position INTEGER PRIMARY KEY,
    FieldName TEXT NOT NULL,
    DataType TEXT NOT NULL
);
CREATE TABLE WritebackLog (
    Id INTEGER PRIMARY KEY,
    CustomerKey TEXT NOT NULL,
    Action TEXT NOT NULL,
    ActionDate TEXT,
    Reason TEXT,
    ReceivedAt TEXT NOT NULL,
    DoNotEmail INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class JobQuery:
    name: str
    folder: str
    where_sql: str
    created_days_ago: int
    used_days_ago: int | None  # None: never used
    active: bool = True


_NEW_SINCE = (LAST_DAY - timedelta(days=30)).isoformat()
EVERYONE = "All Customers"
JOB_QUERIES = (
    JobQuery(EVERYONE, "Informz", "1 = 1", 900, 3),
    JobQuery("Active Members", "Informz", "MemberStatus = 'Active'", 700, 12),
    JobQuery("Board of Directors", "Informz", "Board = 1", 1200, None),
    JobQuery("Chapter East", "Informz/Chapters", "Chapter = 'East'", 400, 45),
    JobQuery("Chapter West", "Informz/Chapters", "Chapter = 'West'", 400, 150),
    JobQuery("New Members", "Informz", f"JoinDate >= '{_NEW_SINCE}'", 2, None),
    JobQuery(
        "Lapsed Members", "Informz/Renewals", "MemberStatus IN ('Grace Period', 'Expired')", 300, 30
    ),
    JobQuery("Annual Conference 2025 Registrants", "Informz/Events", "Conference2025 = 1", 60, 5),
    JobQuery("2024 Gala Invitees", "Archive/2024", "Gala2024 = 1", 500, 420),
    JobQuery("Test query (do not use)", "Informz/Drafts", "Chapter = 'North'", 20, None, False),
)
PERSONALIZATION_FIELDS = (
    ("CustomerKey", "av_key"),
    ("RecordNumber", "int"),
    ("FirstName", "nvarchar"),
    ("LastName", "nvarchar"),
    ("Company", "nvarchar"),
    ("Email", "nvarchar"),
    ("MemberStatus", "nvarchar"),
    ("MemberType", "nvarchar"),
    ("Chapter", "nvarchar"),
    ("JoinDate", "datetime"),
)


def generate(
    path: str | Path, members: int = 5000, seed: int = 1, *, now: datetime | None = None
) -> GenerateStats:
    """Write a fresh sandbox database at `path` (replacing any file there)."""
    if members < 0:
        raise ValueError("The number of members must be zero or more.")
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    with bulk_load(path) as conn:
        customers = Customers(members, seed)
        conn.executescript(SCHEMA)
        conn.execute("BEGIN")
        insert = f"INSERT INTO Customer ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * 15)})"
        for batch in prefetched(batches(customers), "netforum-sandbox-generate"):
            conn.executemany(insert, batch)
        customers.stats.queries = _write_queries(conn, seed, now)
        conn.executemany(
            "INSERT INTO PersonalizationField VALUES (?, ?, ?)",
            [(n, name, kind) for n, (name, kind) in enumerate(PERSONALIZATION_FIELDS, 1)],
        )
        conn.execute("COMMIT")
        conn.execute("CREATE UNIQUE INDEX ix_customer_key ON Customer (CustomerKey)")
    return customers.stats


def _write_queries(conn: sqlite3.Connection, seed: int, now: datetime) -> int:
    keys = random.Random(f"netforum-queries:{seed}")
    stamp = "%Y-%m-%dT%H:%M:%S"
    listed = 0
    for query in JOB_QUERIES:
        h = f"{keys.getrandbits(128):032x}"
        used = None
        if query.used_days_ago is not None:
            used = (now - timedelta(days=query.used_days_ago, hours=1)).strftime(stamp)
        conn.execute(
            "INSERT INTO MessagingJobQuery VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}",
                query.name,
                query.folder,
                (now - timedelta(days=query.created_days_ago, hours=2)).strftime(stamp),
                used,
                1 if query.active else 0,
                query.where_sql,
            ),
        )
        listed += query.active
    return listed
