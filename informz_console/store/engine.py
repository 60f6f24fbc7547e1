"""Open a mirror: any SQLAlchemy URL or a file path; migrations applied on open.

The default mirror is one SQLite file in the user data dir. SQLite runs in WAL mode so the
console can read while a sync writes, with foreign keys on and a busy timeout instead of
"database is locked" errors.

A shared team mirror is a PostgreSQL database (`postgresql://user@host/db`), spoken to with
psycopg 3. The password belongs in libpq's ~/.pgpass (or PGPASSWORD), not in the URL; a URL's
password is never shown in a message.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from informz_console.store.migrate import UpgradeProgress, UpgradeStopped, upgrade_to_head

# Plain `postgresql://` would mean psycopg2 to SQLAlchemy; the console ships psycopg 3.
POSTGRES_DRIVER = "postgresql+psycopg"
_POSTGRES_ALIASES = ("postgres", "postgresql")
CONNECT_TIMEOUT_S = 15  # seconds a server mirror has to answer a new connection


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
            url = make_url(text)
        except ArgumentError as err:
            raise MirrorError(f"Mirror URL {shown(text)!r} is not a valid database URL.") from err
        if url.drivername not in _POSTGRES_ALIASES:
            return text
        return url.set(drivername=POSTGRES_DRIVER).render_as_string(hide_password=False)
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def mirror_file(target: str | Path | None) -> Path | None:
    """The SQLite file a mirror target names (None for a server's URL or an in-memory one)."""
    if target is None:
        return default_mirror_path()
    text = str(target)
    if "://" not in text:
        return Path(text).expanduser().resolve()
    try:
        url = make_url(text)
    except ArgumentError:
        return None  # mirror_url says what is wrong with it
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser().resolve()


def shown(url: str) -> str:
    """A mirror URL fit for a message: its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url


def remembered(target: str | Path) -> str:
    """How a mirror is written down (last mirror, recent mirrors): a file as an absolute path,
    a URL without its password (libpq finds it in ~/.pgpass), so no file ever holds one."""
    text = str(target)
    if "://" not in text:
        return str(Path(text).expanduser().resolve())
    try:
        return make_url(text)._replace(password=None).render_as_string(hide_password=False)
    except ArgumentError:
        return shown(text)


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


def _tune_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # The merge's statements are estimated costly but run in a second or two: JIT would
        # spend longer compiling them than running them.
        with dbapi_conn.cursor() as cur:
            cur.execute("SET jit = off")
            # The server's default page cost is a spinning disk's: with it, a partial sync's
            # 10,000 staged records were joined to a million links by scanning them all
            # (0.46 s) where index lookups take 0.09 s. A cost the DBA set is left alone.
            cur.execute("SHOW random_page_cost")
            if cur.fetchone()[0] == "4":
                cur.execute("SET random_page_cost = 1.1")
        dbapi_conn.commit()


def _create(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url)
        _tune_sqlite(engine)
        return engine
    # A server mirror: a connection the server dropped (restart, idle timeout) is replaced
    # instead of failing the next sync; the application name shows who is connected.
    connect_args: dict[str, object] = {"application_name": "informz_console"}
    if "connect_timeout" not in make_url(url).query:  # the URL's own, when it says one
        # libpq waits for a server that never answers (a firewall that drops packets) without
        # end by default; a sync or a window opening the mirror would wait with it
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    _tune_postgres(engine)
    return engine


def open_engine(target: str | Path | None = None, *, migrate: bool = True,
                progress: UpgradeProgress | None = None) -> Engine:
    """The mirror's engine, migrated to this version of the console. `progress` hears of each
    migration step (a large mirror's upgrade can take a minute) and may stop the upgrade:
    UpgradeStopped then, and the mirror is as it was."""
    url = mirror_url(target)
    try:
        engine = _create(url)
    except (ImportError, NoSuchModuleError) as err:
        driver = getattr(err, "name", None) or make_url(url).drivername
        raise MirrorError(
            f"The mirror {shown(url)} needs the database driver {driver!r}, which is not "
            f"installed; install it (for PostgreSQL: pip install 'psycopg[binary]') or use a "
            f"SQLite mirror file."
        ) from None
    if migrate:
        try:
            upgrade_to_head(engine, progress)
        except UpgradeStopped:
            engine.dispose()
            raise
        except Exception as err:  # the driver's text may hold the URL's password
            engine.dispose()
            raise MirrorError(_cannot_open(url, err)) from err
    return engine


def _cannot_open(url: str, err: Exception) -> str:
    on_sqlite = make_url(url).get_backend_name() == "sqlite"
    if isinstance(err, OperationalError) and on_sqlite and "locked" in str(err.orig):
        return (f"The mirror {shown(url)} is busy: another console or program is writing to it; "
                f"try again when it is done.")
    if isinstance(err, OperationalError) and not on_sqlite:
        return (f"The mirror at {shown(url)} could not be opened: the database server did not "
                f"accept the connection; check the host, port, database name, user and "
                f"password (~/.pgpass), and that the server is running.")
    return f"The mirror at {shown(url)} could not be opened: {type(err).__name__}."


def open_mirror(target: str | Path | None = None) -> sessionmaker[Session]:
    return sessionmaker(open_engine(target), expire_on_commit=False)
