"""The writeback endpoint: `POST {svc}/CustomerCommunicationUpdates` (ours; DOMAIN.md).

Body (JSON): MasterCustomerId, SubCustomerId, Action ('unsubscribe' | 'resubscribe' |
'bad_email'), Reason (up to 255 characters), Date ("/Date(ms)/" or ISO 8601). In one transaction
it changes the customer and records the activity row:

- unsubscribe: DoNotSolicitByEmail = true and AllowEmail = false (seed 001: "an unsubscribe from
  the platform sets Do Not Solicit by Email = true");
- resubscribe: DoNotSolicitByEmail = false and AllowEmail = true (AllowSolicitation is left
  alone: when it is false, email stays forced off);
- bad_email: BadEmailFlag = true (the flags that say whether the customer wants email are left
  alone: a bouncing address is not a change of mind).

201 with the created entity; 400 for a malformed body; 404 for an unknown customer.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

from informz_console.sandbox.personify_filter import ODataError
from informz_console.sandbox.personify_schema import STAMP

ACTIONS = {
    "unsubscribe": "DoNotSolicitByEmail = 1, AllowEmail = 0",
    "resubscribe": "DoNotSolicitByEmail = 0, AllowEmail = 1",
    "bad_email": "BadEmailFlag = 1",
}
_MS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")


def stored_date(value: object) -> str:
    """'/Date(ms)/' or an ISO 8601 text -> stored UTC text; ODataError (400) otherwise."""
    if isinstance(value, str):
        match = _MS_DATE.match(value.strip())
        try:
            if match:
                when = datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
            else:
                when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
                when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
            return when.astimezone(UTC).strftime(STAMP)
        except (ValueError, OverflowError, OSError):
            pass
    raise ODataError(400, f"Invalid 'Edm.DateTime' value for Date: {value!r}.")


def _field(body: dict, name: str, kind: type) -> object:
    value = body.get(name)
    if kind is int and isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ODataError(400, f"The property '{name}' is missing or not of the right type.")
    return value


def apply_update(conn: sqlite3.Connection, body: object, now: datetime) -> int:
    """Apply one writeback in the caller's transaction; returns the new ActivityId."""
    if not isinstance(body, dict):
        raise ODataError(400, "The request body must be a JSON object.")
    master = str(_field(body, "MasterCustomerId", str)).strip()
    sub = int(_field(body, "SubCustomerId", int))  # type: ignore[arg-type]
    action = str(_field(body, "Action", str)).strip()
    if action not in ACTIONS:
        raise ODataError(400, f"Action must be one of {', '.join(ACTIONS)}; got '{action}'.")
    reason = body.get("Reason") or ""
    if not isinstance(reason, str) or len(reason) > 255:
        raise ODataError(400, "Reason must be text of at most 255 characters.")
    date = stored_date(body.get("Date"))
    received = now.astimezone(UTC).strftime(STAMP)
    changed = conn.execute(
        f"UPDATE Customer SET {ACTIONS[action]}, ModifiedOn = ?"
        " WHERE MasterCustomerId = ? AND SubCustomerId = ?",
        (received, master, sub),
    ).rowcount
    if changed == 0:
        raise ODataError(404, f"Customer '{master}-{sub}' was not found.")
    cursor = conn.execute(
        "INSERT INTO CustomerCommunicationUpdate"
        " (MasterCustomerId, SubCustomerId, Action, Reason, Date, ReceivedOn)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (master, sub, action, reason, date, received),
    )
    return int(cursor.lastrowid or 0)
