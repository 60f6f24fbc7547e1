"""The few spots where SQLite and PostgreSQL spell the same SQL differently."""

from __future__ import annotations

from sqlalchemy import Connection


def is_distinct(conn: Connection, a: str, b: str) -> str:
    """Null-safe "differs": SQLite's IS NOT, the standard's IS DISTINCT FROM."""
    op = "IS NOT" if conn.dialect.name == "sqlite" else "IS DISTINCT FROM"
    return f"({a} {op} {b})"


def as_json(conn: Connection, expr: str) -> str:
    return expr if conn.dialect.name == "sqlite" else f"CAST({expr} AS JSON)"


def json_text(conn: Connection, expr: str) -> str:
    return expr if conn.dialect.name == "sqlite" else f"CAST({expr} AS TEXT)"


def insert_many(conn: Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Rows straight to the driver's executemany: at a million rows, building SQLAlchemy
    parameter dicts costs more than the insert itself."""
    if not rows:
        return
    mark = "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})",
        rows,
    )
