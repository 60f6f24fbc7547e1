"""Auto-corrected emails become iCORRECT writebacks: original and corrected address, at most
one per iMIS ID (the outbox key is unique), delivered later by the writeback outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from informz_console.domain.writeback_rules import CORRECTION_TYPE
from informz_console.store.models import Writeback
from informz_console.sync.resolve import KEEPS
from informz_console.sync.stage import STAGE
from informz_console.sync.upsert import insert_ignore


def correction_key(bridge_id: int, ams_id: str) -> str:
    return f"iCORRECT:{bridge_id}:{ams_id}"


def queue_corrections(conn: Connection, bridge_id: int, bridge_kind: str, now: datetime) -> int:
    kind = CORRECTION_TYPE.get(bridge_kind)
    if kind is None:
        return 0
    rows = conn.execute(
        text(f"SELECT ams_id, raw_email, email, sub_id FROM {STAGE} "
             f"WHERE corrected = 1 AND {KEEPS}")
    ).all()
    if not rows:
        return 0
    result = conn.execute(
        insert_ignore(conn, Writeback.__table__),
        [
            {
                "bridge_id": bridge_id, "subscriber_id": sub_id, "type": kind,
                "key": correction_key(bridge_id, ams_id),
                "payload": {"ams_id": ams_id, "original": raw, "corrected": email},
                "state": "ready", "attempts": 0, "created_at": now, "next_attempt_at": now,
            }
            for ams_id, raw, email, sub_id in rows
        ],
    )
    return result.rowcount if result.rowcount and result.rowcount > 0 else 0
