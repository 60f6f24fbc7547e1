"""Apply the Alembic migrations shipped in store/migrations to a mirror."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).with_name("migrations")
# pg_advisory_xact_lock key: consoles opening a new shared mirror at once migrate one by one.
MIGRATION_LOCK = 0x1F02_0001


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _one_migrator_at_a_time(conn: Connection) -> None:
    """SQLite's BEGIN IMMEDIATE already serializes; PostgreSQL needs a lock held to commit."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def upgrade_to_head(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        _one_migrator_at_a_time(conn)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
