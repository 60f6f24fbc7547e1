"""The key lists behind the console's lazy tables, read so that the window stays live.

A key list is read by a job while the window paints, and only one thread runs Python at a
time. SQLAlchemy turns a result into rows in compiled loops that keep the interpreter for a
whole batch: reading a 707,024-member group's key list stalled the window for 0.2-0.3 s when
the ORM read it at once, and still 35-60 ms in batches of 1,000. Read straight from the
driver's cursor in batches, the longest stall is under 30 ms (measured with a 5 ms GUI-thread
timer beside the read).
"""

from __future__ import annotations

from array import array

from sqlalchemy import Select
from sqlalchemy.orm import Session

KEY_CHUNK = 2_000


def id_array(session: Session, query: Select) -> array:
    """The integer ids `query` selects, in its order, as a compact array (1M ids: 8 MB).
    SQLAlchemy runs the query (binds, dialect); the ids come off the driver's cursor."""
    result = session.connection().execute(query)
    ids = array("q")
    try:
        while batch := result.cursor.fetchmany(KEY_CHUNK):
            ids.extend(row[0] for row in batch)
    finally:
        result.close()
    return ids
