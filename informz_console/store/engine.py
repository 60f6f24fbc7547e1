"""Open a mirror: any SQLAlchemy URL or a file path; migrations applied on open.

The default mirror is one SQLite file in the user data dir. SQLite runs in WAL mode so the
console can read while a sync writes, with foreign keys on and a busy timeout instead of
"database is locked" errors.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from informz_console.store.migrate import upgrade_to_head


class MirrorError(Exception):
    """The mirror cannot be opened; the message says what to fix."""


def default_mirror_path() -> Path:
    return Path(user_data_dir("informz_console", appauthor=False)) / "mirror.sqlite"


def mirror_url(target: str | Path | None) -> str:
    """A SQLAlchemy URL from a URL, a file path or nothing (the default mirror)."""
    if target is None:
        target = default_mirror_path()
    text = str(target)
    if "://" in text:
        try:
            make_url(text)
        except ArgumentError as err:
            raise MirrorError(f"Mirror URL {text!r} is not a valid database URL.") from err
        return text
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (SQLAlchemy 2.0 recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA temp_store=FILE")
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Take the write lock up front (a deferred transaction that reads, then writes, can
        # fail at once with "database is locked"); the sync's staging phase asks for DEFERRED
        # with the `sqlite_begin` execution option, as it writes only its temporary table.
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def open_engine(target: str | Path | None = None, *, migrate: bool = True) -> Engine:
    url = mirror_url(target)
    try:
        engine = create_engine(url, future=True)
    except (ImportError, NoSuchModuleError) as err:
        driver = getattr(err, "name", None) or make_url(url).drivername
        raise MirrorError(
            f"The mirror {make_url(url).render_as_string(hide_password=True)} needs the "
            f"database driver {driver!r}, which is not installed; install it (for PostgreSQL: "
            f"pip install 'psycopg[binary]') or use a SQLite mirror file."
        ) from None
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    if migrate:
        try:
            upgrade_to_head(engine)
        except Exception as err:  # the driver's text may hold the URL's password
            engine.dispose()
            raise MirrorError(
                f"The mirror at {make_url(url).render_as_string(hide_password=True)} "
                f"could not be opened: {type(err).__name__}."
            ) from err
    return engine


def open_mirror(target: str | Path | None = None) -> sessionmaker[Session]:
    return sessionmaker(open_engine(target), expire_on_commit=False)
