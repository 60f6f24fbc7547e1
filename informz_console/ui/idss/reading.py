"""A read-only session that never waits for a running sync.

`services.session()` begins SQLite transactions IMMEDIATE (the write lock, for the sync's
sake); a table reading rows on the GUI thread must not queue behind a sync's merge, so its
reads begin DEFERRED: in WAL mode a reader sees the last committed state and never blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    with engine.connect() as conn:
        conn.execution_options(sqlite_begin="DEFERRED")  # ignored by a server mirror
        with Session(bind=conn) as session:
            yield session
