"""iDSS: after a sync, each synced contact gets its Informz code (our subscriber id) written
back (seed 002: "Contacts in iDSS update with the Informz subscriber ID after the sync
occurs"). It is the only thing ever written to iDSS.

A contact whose write fails is kept as a contact error with the request sent and the system
error received (seed 002: a contact highlighted red; "SoftOps can check the XML call and system
error"); a later successful write resolves it. The sync itself has committed by then: a failed
write never undoes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, text, update

from informz_console.connectors.errors import ConnectorError
from informz_console.store.models import ContactError
from informz_console.sync.runs import RunRecorder
from informz_console.sync.stage import STAGE


def _stale_codes(conn: Connection) -> list[tuple[str, str]]:
    """(contact id, code) for the synced contacts whose code in iDSS is missing or differs."""
    return [(ams_id, str(sub_id)) for ams_id, sub_id in conn.execute(text(
        f"SELECT ams_id, sub_id FROM {STAGE} WHERE reason IS NULL AND sub_id IS NOT NULL "
        f"AND (informz_code IS NULL OR informz_code <> CAST(sub_id AS VARCHAR(20)))"
    ))]


def write_informz_codes(conn: Connection, connector, bridge_id: int, recorder: RunRecorder,  # type: ignore[no-untyped-def]
                        now: datetime) -> tuple[int, int]:
    """Returns (written, failed)."""
    written, failed = 0, 0
    for ams_id, code in _stale_codes(conn):
        try:
            connector.write_informz_code(ams_id, code)
        except ConnectorError as err:
            failed += 1
            conn.execute(insert(ContactError).values(
                bridge_id=bridge_id, ams_id=ams_id, run_id=recorder.run_id, at=now,
                request=str(getattr(err, "request", "") or ""),
                system_error=getattr(err, "system_error", "") or str(err)))
            if not getattr(err, "request", None):  # the AMS is unreachable: stop trying
                recorder.log(f"Writing Informz codes stopped: {err}", "warning")
                break
            continue
        written += 1
        conn.execute(update(ContactError).where(
            ContactError.bridge_id == bridge_id, ContactError.ams_id == ams_id,
            ContactError.resolved_at.is_(None)).values(resolved_at=now))
    if written or failed:
        recorder.log(f"Informz code written to {written:,} contacts"
                     + (f"; {failed:,} failed (see contact errors)." if failed else "."),
                     "warning" if failed else "info")
    return written, failed
