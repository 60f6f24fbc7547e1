"""The mirror's cache of email verdicts: each address that needed the slow validator is
validated once, ever (the fast path is cheaper than a cache lookup, so it is not cached)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from informz_console.domain.emails import EmailVerdict
from informz_console.store.models import EmailVerdictRow
from informz_console.sync.upsert import insert_ignore


def load_verdicts(conn: Connection) -> dict[str, EmailVerdict]:
    rows = conn.execute(select(EmailVerdictRow)).all()
    return {
        r.raw: EmailVerdict(
            valid=r.valid,
            email=r.email,
            key=r.email.lower() if r.email else None,
            corrected_from=r.raw if r.corrected else None,
            reason=r.reason,
        )
        for r in rows
    }


def save_verdicts(conn: Connection, learned: dict[str, EmailVerdict]) -> None:
    if not learned:
        return
    rows = [
        {"raw": raw, "valid": v.valid, "email": v.email, "reason": v.reason,
         "corrected": v.corrected_from is not None}
        for raw, v in learned.items()
        if raw is not None and len(raw) <= 400
    ]
    conn.execute(insert_ignore(conn, EmailVerdictRow.__table__), rows)
