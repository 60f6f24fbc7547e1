"""Test helpers that read the mirror directly (tests may; the product's UI may not)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, text

from informz_console.store.models import Bridge, TargetGroup

DATA_TABLES = ("subscriber", "subscriber_link", "membership", "target_group", "writeback",
               "email_verdict", "bridge")


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of the tables a sync may change (not the sync log, which records the run)."""
    with engine.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()), key=repr)
            for t in DATA_TABLES
        }


def add_bridge(engine: Engine, clock, name="iMIS", kind="imis", accepted="A",
               groups=("$/Test/Members",), email_source="name") -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        bridge = Bridge(kind=kind, name=name, settings={}, secret_name=f"bridge:{kind}:{name}",
                        accepted_statuses=accepted, email_source=email_source,
                        created_at=clock.now())
        session.add(bridge)
        session.flush()
        for key in groups:
            session.add(TargetGroup(bridge_id=bridge.id, remote_key=key,
                                    name=key.rsplit("/", 1)[-1], folder="$/Test"))
        session.commit()


def members(engine: Engine, group_key: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(text(
            "SELECT s.email FROM membership m JOIN subscriber s ON s.id = m.subscriber_id "
            "JOIN target_group g ON g.id = m.group_id WHERE g.remote_key = :k"), {"k": group_key}))


def rows(engine: Engine, sql: str, **params) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The rows of a query, each value as the SQLite mirror returns it (JSON as its text, a
    time as SQLite's text), so one expectation fits both backends."""
    with engine.connect() as conn:
        return [tuple(map(_as_sqlite, r)) for r in conn.execute(text(sql), params)]


def _as_sqlite(value):  # type: ignore[no-untyped-def]
    # psycopg hands back JSON decoded and times aware; SQLAlchemy wrote them as json.dumps
    # text and naive UTC, which is what SQLite returns to a raw query.
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def status_of(engine: Engine, ams_id: str) -> tuple[str, str | None]:
    """The status and reason of the subscriber an AMS id is linked to."""
    ((status, reason),) = rows(
        engine,
        "SELECT s.status, s.status_reason FROM subscriber s JOIN subscriber_link l "
        "ON l.subscriber_id = s.id WHERE l.ams_id = :a",
        a=ams_id,
    )
    return status, reason


def exclusion_of(engine: Engine, run_id: int, ams_id: str) -> str | None:
    """The reason a run excluded this AMS id, or None."""
    found = rows(engine, "SELECT reason FROM exclusion WHERE run_id = :r AND ams_id = :a",
                 r=run_id, a=ams_id)
    return found[0][0] if found else None


def member_ids(engine: Engine, group_key: str) -> list[str]:
    """The AMS ids of a group's members, in id order."""
    return [a for (a,) in rows(
        engine,
        "SELECT l.ams_id FROM membership m JOIN target_group g ON g.id = m.group_id "
        "JOIN subscriber_link l ON l.subscriber_id = m.subscriber_id "
        "WHERE g.remote_key = :k ORDER BY l.ams_id",
        k=group_key,
    )]
