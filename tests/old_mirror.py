"""A mirror as an older version of the console left it (tests of the upgrade on open)."""

from __future__ import annotations

import sqlite3

from alembic import command
from sqlalchemy import create_engine

from informz_console.store.migrate import alembic_config

NOW = "2026-11-02 00:00:00.000000"


def old_mirror(path, version: str) -> None:
    """A mirror at `version`, holding a bridge, a group and one linked member."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")  # as every console leaves its mirror
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, version)
        conn.exec_driver_sql(
            "INSERT INTO bridge (id, kind, name, settings, accepted_statuses, email_source, "
            f"active, change_high_water, created_at) VALUES (1, 'imis', 'iMIS', '{{}}', 'A', "
            f"'name', 1, 0, '{NOW}')")
        conn.exec_driver_sql(
            "INSERT INTO target_group (id, bridge_id, remote_key, name, folder, kind, detail) "
            "VALUES (1, 1, '$/Everyone', 'Everyone', '', 'query', '{}')")
        conn.exec_driver_sql(
            "INSERT INTO subscriber (id, email, email_key, status, source, created_at, "
            f"updated_at) VALUES (7, 'Ann@Example.org', 'ann@example.org', 'active', 'sync', "
            f"'{NOW}', '{NOW}')")
        conn.exec_driver_sql("INSERT INTO subscriber_link (bridge_id, ams_id, subscriber_id, "
                             f"linked_at) VALUES (1, '100001', 7, '{NOW}')")
        conn.exec_driver_sql("INSERT INTO membership (group_id, subscriber_id) VALUES (1, 7)")
    engine.dispose()


def version_and_rows(path) -> tuple[str, list]:
    db = sqlite3.connect(path)
    try:
        version = db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        rows = db.execute(
            "SELECT s.email, l.ams_id, m.group_id FROM subscriber s "
            "JOIN subscriber_link l ON l.subscriber_id = s.id "
            "JOIN membership m ON m.subscriber_id = s.id").fetchall()
        return version, rows
    finally:
        db.close()
