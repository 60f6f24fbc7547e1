"""A shared team mirror on PostgreSQL: the URL, opening it, its migrations (a real server)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from informz_console.store.engine import MirrorError, mirror_url, open_engine
from informz_console.store.migrate import alembic_config
from informz_console.store.models import SQLITE_ONLY_INDEXES, Base

pytestmark = pytest.mark.postgres_only


@pytest.mark.parametrize(("given", "opened"), [
    ("postgresql://team@db.example.org:5433/mirror", "postgresql+psycopg://team@db.example.org:5433/mirror"),  # noqa: E501
    ("postgres://team@db.example.org/mirror", "postgresql+psycopg://team@db.example.org/mirror"),
    ("postgresql+psycopg://team@/mirror?host=/run/pg", "postgresql+psycopg://team@/mirror?host=/run/pg"),  # noqa: E501
])
def test_a_postgresql_url_is_spoken_to_with_psycopg_3(given, opened):
    assert mirror_url(given) == opened


def test_a_plain_postgresql_url_opens_and_migrates_a_new_database(postgres_server):
    name = postgres_server.create_database(empty=True)
    plain = make_url(postgres_server.url_of(name)).set(drivername="postgresql")
    engine = open_engine(plain.render_as_string(hide_password=False))
    try:
        assert engine.dialect.driver == "psycopg"
        assert "subscriber" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar_one() == "off"
            # the test server keeps the default page cost (4): ours is an SSD's
            assert conn.execute(text("SHOW random_page_cost")).scalar_one() == "1.1"
    finally:
        engine.dispose()
        postgres_server.drop_database(name)


def test_a_server_that_cannot_be_reached_is_one_sentence_without_the_password():
    with pytest.raises(MirrorError) as caught:
        open_engine("postgresql://team:s3cret-pw@127.0.0.1:9/mirror")
    message = str(caught.value)
    assert message == (
        "The mirror at postgresql+psycopg://team:***@127.0.0.1:9/mirror could not be opened: the "
        "database server did not accept the connection; check the host, port, database name, "
        "user and password (~/.pgpass), and that the server is running.")
    assert "s3cret-pw" not in message


def test_a_server_that_never_answers_gives_up_after_the_connect_timeout(monkeypatch):
    """A real listener that accepts and then says nothing (as behind a firewall that drops the
    replies): without a connect timeout libpq would wait for it for ever."""
    import socket
    import threading

    from informz_console.store import engine as engine_module

    monkeypatch.setattr(engine_module, "CONNECT_TIMEOUT_S", 2)
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True).start()
    port = listener.getsockname()[1]
    try:
        with pytest.raises(MirrorError, match="did not accept the connection"):
            open_engine(f"postgresql://team@127.0.0.1:{port}/mirror")
    finally:
        for conn in held:
            conn.close()
        listener.close()
    assert held  # it was connected to, and gave up waiting for an answer


def test_the_migrated_schema_is_the_models_schema(mirror):
    dialect = mirror.dialect.name

    def declared_here(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
        return not (type_ == "index" and name in SQLITE_ONLY_INDEXES and dialect != "sqlite")

    with mirror.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": declared_here})
        assert compare_metadata(context, Base.metadata) == []
    if dialect == "sqlite":
        assert "ix_subscriber_revision" in {i["name"] for i in inspect(mirror).get_indexes(
            "subscriber")}


def test_every_migration_goes_down_and_up_again(mirror):
    config = alembic_config()
    with mirror.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
        assert set(inspect(conn).get_table_names()) == {"alembic_version"}
        command.upgrade(config, "head")
    assert "subscriber" in inspect(mirror).get_table_names()


def test_consoles_opening_a_new_shared_mirror_at_once_migrate_it_once(postgres_server):
    """Each console migrates on open; on a new server database they take turns (three real
    processes, let go together)."""
    name = postgres_server.create_database(empty=True)
    url = postgres_server.url_of(name)
    opener = ("import sys; sys.stdin.readline(); from informz_console.store.engine import "
              "open_engine; open_engine(sys.argv[1]).dispose(); print('opened')")
    consoles = [subprocess.Popen([sys.executable, "-c", opener, url], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(3)]
    try:
        for console in consoles:  # all are up and waiting: now open at once
            console.stdin.write("go\n")
            console.stdin.flush()
        outcomes = [console.communicate(timeout=120) for console in consoles]
        assert [out.strip() for out, _ in outcomes] == ["opened"] * 3, outcomes
        engine = open_engine(url)
        with engine.connect() as conn:
            heads = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        engine.dispose()
        assert len(heads) == 1
    finally:
        for console in consoles:
            console.kill()
        postgres_server.drop_database(name)
