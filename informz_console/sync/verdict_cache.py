"""The mirror's cache of email verdicts: each address that needed the slow validator is
validated once, ever (the fast path is cheaper than a cache lookup, so it is not cached).

A run reads the whole cache once while it is small (`WHOLE_UP_TO`), and otherwise asks it per
page for the addresses the fast path cannot answer: at 1,000,000 members with 9% of them messy,
a query per page cost 2.5 s, reading the 37,000 cached verdicts 0.05 s.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, func, select

from informz_console.domain.emails import EmailVerdict
from informz_console.domain.storable_text import storable
from informz_console.store.models import EmailVerdictRow
from informz_console.sync.upsert import insert_ignore

WHOLE_UP_TO = 100_000  # verdicts held in memory for a run: about 30 MB

_ALL = select(
    EmailVerdictRow.raw, EmailVerdictRow.valid, EmailVerdictRow.email, EmailVerdictRow.reason,
    EmailVerdictRow.corrected,
)
# Built once: SQLAlchemy compiles it once and expands the list per call.
_LOOKUP = _ALL.where(EmailVerdictRow.raw.in_(bindparam("raws", expanding=True)))


def checker_sources(conn: Connection, *, few_records: bool = False) -> dict:
    """The EmailChecker arguments that read this cache: `known` (all of it) or `lookup`. A
    run expected to carry few records (a change feed) only looks up: reading 40,000 verdicts
    and counting them took 0.2 s of a 1 s partial sync of 10,000 changes."""
    if not few_records:
        count = conn.execute(select(func.count()).select_from(EmailVerdictRow)).scalar_one()
        if count <= WHOLE_UP_TO:
            return {"known": _verdicts(conn.execute(_ALL))}
    return {"lookup": lambda raws: lookup_verdicts(conn, raws)}


def lookup_verdicts(conn: Connection, raws: list[str]) -> dict[str, EmailVerdict]:
    """The cached verdicts of these addresses (asked once per page, for the few the fast
    path cannot answer)."""
    found: dict[str, EmailVerdict] = {}
    raws = [raw for raw in raws if _cacheable(raw)]
    for start in range(0, len(raws), 500):
        found.update(_verdicts(conn.execute(_LOOKUP, {"raws": raws[start : start + 500]})))
    return found


def _verdicts(rows: Iterable) -> dict[str, EmailVerdict]:
    return {
        raw: EmailVerdict(valid, email, email.lower() if email else None,
                          raw if corrected else None, reason)
        for raw, valid, email, reason, corrected in rows
    }


def save_verdicts(conn: Connection, learned: dict[str, EmailVerdict]) -> None:
    if not learned:
        return
    rows = [
        {"raw": raw, "valid": v.valid, "email": v.email, "reason": v.reason,
         "corrected": v.corrected_from is not None}
        for raw, v in learned.items()
        if raw is not None and _cacheable(raw)
    ]
    if rows:  # an empty list would insert one row of defaults
        conn.execute(insert_ignore(conn, EmailVerdictRow.__table__), rows)


def _cacheable(raw: str) -> bool:
    """What the cache's column holds: up to 400 characters a database can store."""
    return len(raw) <= 400 and storable(raw)
