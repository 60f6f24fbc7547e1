"""A deterministic Personify database: customers (`personify_people`), MKT lists, personalization
fields.

`generate(path, members, seed)` writes a fresh sandbox database with `members` CustomerInfos rows
(sub-customers included). The same seed gives the same customers and list members; only the list
dates follow `now`, so "regenerated yesterday" and "modified in the last seven days" stay true.
Customers go in with `executemany` in batches built on a second thread; list members are
`INSERT .. SELECT`s over the rules in `Sandbox_ListRule`. A million customers take seconds.

The MKT lists (`MKT_LISTS`): one huge list with every customer (ALLCUST), five usual ones, two
not regenerated within their frequency (NEWSLTR, Daily, last regenerated 3 days ago; LAPSED,
Monthly, 45 days ago), one with no frequency (BOARD) and one never regenerated (NEWMBR: MKT510
has not run, so it has no members yet).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from informz_console.sandbox.bulk import bulk_load, prefetched
from informz_console.sandbox.personify_people import COLUMNS, Customers, GenerateStats
from informz_console.sandbox.personify_schema import STAMP, create_indexes, create_tables


@dataclass(frozen=True)
class MktList:
    code: str
    description: str
    frequency: str | None
    regenerated_days_ago: float | None  # None: never regenerated
    created_days_ago: float
    modified_days_ago: float
    where_sql: str


_ID = "CAST(MasterCustomerId AS INTEGER)"
MKT_LISTS = (
    MktList("ALLCUST", "All customers", "Weekly", 2, 900, 200, "1 = 1"),
    MktList("ACTMBR", "Active members", "Daily", 0.25, 700, 3,
            "CustomerClassCode = 'MEMBER' AND CustomerStatusCode = 'ACTIVE'"),
    MktList("NEWSLTR", "Monthly newsletter", "Daily", 3, 650, 30,
            f"CustomerStatusCode = 'ACTIVE' AND {_ID} % 5 < 3"),
    MktList("CONF25", "Annual Conference 2025 attendees", "Monthly", 10, 120, 10,
            f"RecordType = 'I' AND {_ID} % 13 = 0"),
    MktList("STUDENT", "Student members", "Quarterly", 40, 500, 90,
            "CustomerClassCode = 'STUDENT'"),
    MktList("LAPSED", "Lapsed members", "Monthly", 45, 400, 45,
            "CustomerStatusCode = 'INACTIVE'"),
    MktList("CORPCON", "Corporate contacts", "Yearly", 100, 800, 100,
            "RecordType = 'C' OR SubCustomerId > 0"),
    MktList("BOARD", "Board of Directors", None, 400, 1200, 400,
            "SubCustomerId = 0 AND MasterCustomerId IN (SELECT MasterCustomerId FROM Customer"
            " WHERE SubCustomerId = 0 AND CustomerClassCode = 'MEMBER'"
            " AND CustomerStatusCode = 'ACTIVE' ORDER BY MasterCustomerId LIMIT 15)"),
    MktList("NEWMBR", "New members (MKT510 not run yet)", "Weekly", None, 2, 2,
            "CustomerClassCode = 'MEMBER' AND JoinDate >= '2025-01-01'"),
)  # fmt: skip

PERSONALIZATION_FIELDS = (
    ("FirstName", "Edm.String"),
    ("LastName", "Edm.String"),
    ("LabelName", "Edm.String"),
    ("CompanyName", "Edm.String"),
    ("PrimaryEmailAddress", "Edm.String"),
    ("CustomerClassCode", "Edm.String"),
    ("City", "Edm.String"),
    ("State", "Edm.String"),
    ("JoinDate", "Edm.DateTime"),
)


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(STAMP)


def regenerate(conn: sqlite3.Connection, list_code: str, when: datetime) -> int:
    """Run the list's rule (MKT600): replace its members, set LastRegeneratedOn. Returns the
    member count. The caller owns the transaction."""
    row = conn.execute(
        "SELECT WhereSql FROM Sandbox_ListRule WHERE ListCode = ?", (list_code,)
    ).fetchone()
    if row is None:
        raise KeyError(f"No MKT list {list_code!r} in the sandbox.")
    conn.execute("DELETE FROM MarketingListMember WHERE ListCode = ?", (list_code,))
    count = conn.execute(
        f"INSERT INTO MarketingListMember SELECT ?, MasterCustomerId, SubCustomerId"
        f" FROM Customer WHERE ({row[0]}) ORDER BY MasterCustomerId, SubCustomerId",
        (list_code,),
    ).rowcount
    conn.execute(
        "UPDATE MarketingList SET LastRegeneratedOn = ? WHERE ListCode = ?",
        (stamp(when), list_code),
    )
    return count


def generate(
    path: str | Path, members: int = 5000, seed: int = 1, *, now: datetime | None = None
) -> GenerateStats:
    """Write a fresh sandbox database at `path` (replacing any file there)."""
    if members < 0:
        raise ValueError("The number of members must not be negative.")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with bulk_load(path) as conn:
        customers = Customers(members, seed)
        create_tables(conn)
        conn.execute("BEGIN")
        marks = ", ".join("?" * len(COLUMNS))
        insert = f"INSERT INTO Customer ({', '.join(COLUMNS)}) VALUES ({marks})"
        for batch in prefetched(customers.rows(), "personify-sandbox-generate"):
            conn.executemany(insert, batch)
        conn.executemany("INSERT INTO PersonalizationField VALUES (?, ?)", PERSONALIZATION_FIELDS)
        stats = customers.stats
        for mkt in MKT_LISTS:
            conn.execute(
                "INSERT INTO MarketingList VALUES (?, ?, ?, NULL, ?, ?)",
                (
                    mkt.code,
                    mkt.description,
                    mkt.frequency,
                    stamp(now - timedelta(days=mkt.modified_days_ago)),
                    stamp(now - timedelta(days=mkt.created_days_ago)),
                ),
            )
            conn.execute("INSERT INTO Sandbox_ListRule VALUES (?, ?)", (mkt.code, mkt.where_sql))
            if mkt.regenerated_days_ago is not None:
                when = now - timedelta(days=mkt.regenerated_days_ago)
                stats.list_members += regenerate(conn, mkt.code, when)
            stats.lists += 1
        conn.execute("COMMIT")
        create_indexes(conn)
    return stats
