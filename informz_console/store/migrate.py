"""Apply the Alembic migrations shipped in store/migrations to a mirror."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).with_name("migrations")
# pg_advisory_xact_lock key: consoles opening a new shared mirror at once migrate one by one.
MIGRATION_LOCK = 0x1F02_0001

# Told (steps done, steps in all) before the first step and after each, when a mirror made by
# an older version is upgraded (a new mirror's tables are made at once, and nothing is told);
# returning False asks the upgrade to stop after the step it is on, which rolls it all back.
UpgradeProgress = Callable[[int, int], bool]


class UpgradeStopped(Exception):
    """The upgrade was asked to stop; the mirror is as it was before it began."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _one_migrator_at_a_time(conn: Connection) -> None:
    """SQLite's BEGIN IMMEDIATE already serializes; PostgreSQL needs a lock held to commit."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def pending_steps(conn: Connection, config: Config) -> int | None:
    """How many migrations a mirror made by an older version still needs; None for a new one."""
    current = MigrationContext.configure(conn).get_current_heads()
    if not current:
        return None
    script = ScriptDirectory.from_config(config)
    return len(list(script.iterate_revisions("heads", current)))


def upgrade_to_head(engine: Engine, progress: UpgradeProgress | None = None) -> None:
    """Every pending migration, in one transaction: an upgrade that fails or is stopped
    leaves the mirror at the version it had."""
    config = alembic_config()
    with engine.begin() as conn:
        _one_migrator_at_a_time(conn)
        if progress is not None and (steps := pending_steps(conn, config)) is not None:
            _report_steps(config, progress, steps)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _report_steps(config: Config, progress: UpgradeProgress, steps: int) -> None:
    done = 0

    def step_applied(**_: object) -> None:
        nonlocal done
        done += 1
        if not progress(done, steps) and done < steps:
            raise UpgradeStopped

    if not progress(0, steps):
        raise UpgradeStopped
    config.attributes["on_version_apply"] = (step_applied,)
