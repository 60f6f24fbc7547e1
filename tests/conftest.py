"""Shared fixtures: a fresh mirror per test, a fixed clock, a session-only credential store.

The store and sync tests (every test module outside tests/ui that uses `mirror`) run twice: on
a SQLite mirror file and on a PostgreSQL database of its own (migrated, holding no rows) on the
server `INFORMZ_TEST_POSTGRES_URL` names (`./dev test` starts a throwaway one). A test
that checks something only SQLite has is marked `sqlite_only` or listed in SQLITE_ONLY.
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from keyring.backends.fail import Keyring as NoKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import Connection, Engine, create_engine, inspect, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from informz_console.domain.clock import FixedClock  # noqa: E402
from informz_console.store.engine import mirror_url, open_engine  # noqa: E402
from informz_console.sync.credentials import CredentialStore  # noqa: E402

TESTS = Path(__file__).parent
POSTGRES_ENV = "INFORMZ_TEST_POSTGRES_URL"
NO_SERVER = (
    f"{POSTGRES_ENV} is not set: run the tests with `./dev test` (it starts a throwaway "
    f"PostgreSQL server), or point {POSTGRES_ENV} at a server where you may create databases, "
    f"e.g. postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=54329."
)
BACKENDS = ("sqlite", "postgresql")
# Tests that check SQLite itself, or write the mirror with SQLite's spelling of SQL; their
# PostgreSQL counterparts are in tests/test_postgres*.py.
SQLITE_ONLY = {
    "test_interrupted.py::test_a_live_run_of_another_process_is_not_marked",
    "test_interrupted.py::test_two_syncs_of_one_bridge_at_once_are_refused",
    "test_retention.py::test_child_rows_go_even_without_foreign_key_cascades",
}
_numbers = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: runs on the SQLite mirror only")
    config.addinivalue_line("markers", "postgres_only: runs on the PostgreSQL mirror only")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`mirror` is parametrized over both backends, except in the GUI tests."""
    if "mirror" not in metafunc.fixturenames or _sqlite_only(metafunc):
        return
    postgres_only = metafunc.definition.get_closest_marker("postgres_only") is not None
    metafunc.parametrize("mirror", BACKENDS[1:] if postgres_only else BACKENDS, indirect=True)


def _sqlite_only(metafunc: pytest.Metafunc) -> bool:
    path = Path(metafunc.definition.path)
    if TESTS / "ui" in path.parents:
        return True
    node = f"{path.name}::{metafunc.definition.originalname}"
    return node in SQLITE_ONLY or metafunc.definition.get_closest_marker("sqlite_only") is not None


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))


@pytest.fixture
def mirror(request: pytest.FixtureRequest, tmp_path):
    if getattr(request, "param", "sqlite") == "sqlite":
        engine = open_engine(tmp_path / "mirror.sqlite")
        yield engine
        engine.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.lend()
    engine = open_engine(server.url_of(name))
    yield engine
    engine.dispose()
    server.give_back(name)


class PostgresServer:
    """Databases for the tests on one PostgreSQL server. Each test gets a migrated database
    holding no rows: a copy of a migrated template, or one an earlier test gave back, emptied
    (emptying takes milliseconds, a copy a third of a second)."""

    def __init__(self, url: str) -> None:
        self.url = make_url(mirror_url(url))
        self.admin: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.prefix = f"informz_t{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.idle: list[str] = []
        self.schema: tuple[str, list[str]] = ("", [])  # the template's version and tables
        self.emptying = ""

    def url_of(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def _run(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def start(self) -> None:
        self._run(f"DROP DATABASE IF EXISTS {self.template}")
        self._run(f"CREATE DATABASE {self.template}")
        engine = open_engine(self.url_of(self.template))
        with engine.connect() as conn:
            self.schema = self._schema(conn)
            parents_first = [t for t, _ in inspect(conn).get_sorted_table_and_fkc_names() if t]
            sequences = conn.execute(text("SELECT sequencename FROM pg_sequences")).scalars()
            self.emptying = "; ".join(
                [f"DELETE FROM {t}" for t in reversed(parents_first) if t != "alembic_version"]
                + [f"ALTER SEQUENCE {s} RESTART" for s in sequences])
        engine.dispose()

    @staticmethod
    def _schema(conn: Connection) -> tuple[str, list[str]]:
        """The migration version and the tables."""
        return tuple(conn.execute(text(
            "SELECT (SELECT version_num FROM alembic_version), array_agg(tablename ORDER BY "
            "tablename) FROM pg_tables WHERE schemaname = 'public'")).one())

    def lend(self) -> str:
        return self.idle.pop() if self.idle else self.create_database()

    def give_back(self, name: str) -> None:
        """Empty the database for the next test; one whose schema a test changed is dropped."""
        self._run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # a leaked thread's
                  f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        engine = create_engine(self.url_of(name))
        try:
            with engine.begin() as conn:
                if self._schema(conn) == self.schema:
                    conn.exec_driver_sql(self.emptying)
                    self.idle.append(name)
                    return
        finally:
            engine.dispose()
        self.drop_database(name)

    def create_database(self, *, empty: bool = False) -> str:
        """A new database: a copy of the migrated template, or `empty` (nothing migrated)."""
        name = f"{self.prefix}_{next(_numbers)}"
        self._run(f"CREATE DATABASE {name}" + ("" if empty else f" TEMPLATE {self.template}"))
        return name

    def drop_database(self, name: str) -> None:
        self._run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        for name in [*self.idle, self.template]:
            self.drop_database(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.fail(NO_SERVER, pytrace=False)
    server = PostgresServer(url)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def credentials() -> CredentialStore:
    """No OS keyring in tests: secrets live in memory, as on a headless box."""
    return CredentialStore(NoKeyring())
