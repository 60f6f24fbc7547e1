"""The mirror's cache of email verdicts: each address that needed the slow validator is
validated once, ever (the fast path is cheaper than a cache lookup, so it is not cached)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from informz_console.domain.emails import EmailVerdict
from informz_console.store.models import EmailVerdictRow
from informz_console.sync.upsert import insert_ignore


def lookup_verdicts(conn: Connection, raws: list[str]) -> dict[str, EmailVerdict]:
    """The cached verdicts of these addresses (asked once per page, for the few the fast
    path cannot answer; the cache is never loaded whole, it only grows)."""
    found: dict[str, EmailVerdict] = {}
    raws = [raw for raw in raws if _cacheable(raw)]
    for start in range(0, len(raws), 500):
        chunk = raws[start : start + 500]
        for raw, valid, email, reason, corrected in conn.execute(
            select(EmailVerdictRow.raw, EmailVerdictRow.valid, EmailVerdictRow.email,
                   EmailVerdictRow.reason, EmailVerdictRow.corrected)
            .where(EmailVerdictRow.raw.in_(chunk))
        ):
            found[raw] = EmailVerdict(valid, email, email.lower() if email else None,
                                      raw if corrected else None, reason)
    return found


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
    """What the cache's column holds: up to 400 characters, no NUL (PostgreSQL refuses it)."""
    return len(raw) <= 400 and "\x00" not in raw
