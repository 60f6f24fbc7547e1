"""Deliver due writebacks through each bridge's connector (the outbox itself: see outbox).

Per bridge kind:
- iMIS: one Activity row per writeback (ACTIVITY_TYPE = PRODUCT_CODE = the type; description =
  the email, first 250 characters, then the event's date and the delivery's date). iCORRECT
  describes the corrected address and carries original and corrected in UF_1 and UF_2. iOPTOUT
  also sets the bridge's UD opt-out checkbox (bridge setting `ud_opt_out_field`, in the bridge's
  `ud_table`) in the same iMIS transaction, when that setting is there. The SEQN goes into the
  payload (`seqn`) in the same mirror transaction that marks the row sent.
- Personify: `write_back(ams_id, unsubscribe | resubscribe | bad_email, reason, when)`; the
  ActivityId Personify recorded goes into the payload (`activity_id`).
- netFORUM: `write_back` the same; Do Not Email as netFORUM now holds it goes into the payload.
The iMIS names map onto the three actions (iUNSUB and iOPTOUT unsubscribe, iRESUB resubscribes,
iBADEMAIL is bad_email); iCORRECT, and anything for iDSS, fails as not deliverable.
- iMIS iINTEREST (IPM preference form, seed 004: the form's changes show in iMIS as iOptout
  activity with date, type and product code): ACTIVITY_TYPE iOPTOUT, PRODUCT_CODE the checkbox
  field, UF_1 `TABLE.FIELD`, UF_2 `checked` or `unchecked`. The UD row itself was updated by the
  form already.
Every iMIS Activity row carries the outbox key in UF_3, so a resend after a crash finds it
(see `connectors.imis_writeback`).

Payload: `ams_id` (required); `email`, `reason`, `at` (ISO time of the event; default the row's
created_at); iCORRECT: `original`, `corrected`; iINTEREST: `interest` (TABLE.FIELD), `checked`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from informz_console.connectors.errors import ConnectorError
from informz_console.connectors.imis_writeback import ActivityRow
from informz_console.domain.clock import Clock
from informz_console.store.models import Bridge
from informz_console.sync.connector_factory import build_connector
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.outbox import (
    ACTIONS,
    IMIS_TYPES,
    Claimed,
    DeliveryReport,
    bridge_id_of,
    claim_due,
    mark_error,
    mark_sent,
    release,
)

REASONS = {
    "unsubscribe": "Unsubscribed in Informz",
    "resubscribe": "Resubscribed in Informz",
    "bad_email": "Invalid or repeatedly bouncing email address",
}
RECEIPTS = ("seqn", "activity_id")  # a payload holding one was accepted by the AMS already


class NotDeliverable(ConnectorError):
    """The writeback cannot be sent as it is (wrong type for the bridge, missing AMS id)."""


def _when(payload: dict[str, Any], fallback: datetime) -> datetime:
    try:
        return datetime.fromisoformat(payload["at"])
    except (KeyError, TypeError, ValueError):
        return fallback


def _ams_id(row: Claimed) -> str:
    ams_id = row.payload.get("ams_id")
    if not isinstance(ams_id, str) or not ams_id.strip():
        raise NotDeliverable(f"Writeback {row.key} has no AMS id, so it cannot be sent.")
    return ams_id


def _imis(connector: Any, bridge: Bridge, row: Claimed, now: datetime) -> dict[str, Any]:
    if row.type not in IMIS_TYPES:
        raise NotDeliverable(f"A {row.type} writeback cannot be sent to iMIS; iMIS takes "
                             f"{', '.join(IMIS_TYPES)}.")  # fmt: skip
    activity = _activity(row, now)
    field = (bridge.settings or {}).get("ud_opt_out_field")
    if row.type == "iOPTOUT" and field:
        seqn = connector.set_ud_flag(activity.ams_id, field, True, activity=activity)
    else:
        (seqn,) = connector.write_activities([activity])
    return {**row.payload, "seqn": seqn}


def _activity(row: Claimed, now: datetime) -> ActivityRow:
    p = row.payload
    when = _when(p, row.created_at)
    email = p.get("corrected") if row.type == "iCORRECT" else p.get("email")
    interest = str(p.get("interest") or "")
    kind, product = row.type, None
    if row.type == "iINTEREST":  # seed 004: shows in iMIS as iOptout activity
        kind, product = "iOPTOUT", interest.rpartition(".")[2][:31]
    try:
        activity = ActivityRow.for_email(_ams_id(row), kind, email or "", when, now,
                                         product_code=product or None)
    except ValueError as exc:
        raise NotDeliverable(str(exc)) from None
    if row.type == "iCORRECT":
        activity = replace(activity, uf_1=p.get("original"), uf_2=p.get("corrected"))
    if row.type == "iINTEREST":
        activity = replace(activity, uf_1=interest,
                           uf_2="checked" if p.get("checked") else "unchecked")
    return replace(activity, outbox_key=row.key)


def _action(row: Claimed, kind: str) -> str:
    action = ACTIONS.get(row.type)
    if action is None:
        raise NotDeliverable(f"A {row.type} writeback cannot be sent to {kind}; it takes "
                             f"unsubscribe, resubscribe and bad email.")  # fmt: skip
    return action


def _personify(connector: Any, bridge: Bridge, row: Claimed, now: datetime) -> dict[str, Any]:
    action = _action(row, "Personify")
    reason = row.payload.get("reason") or REASONS[action]
    when = _when(row.payload, row.created_at)
    activity_id = connector.write_back(_ams_id(row), action, reason, when)
    return {**row.payload, "activity_id": activity_id}


def _netforum(connector: Any, bridge: Bridge, row: Claimed, now: datetime) -> dict[str, Any]:
    action = _action(row, "netFORUM")
    reason = row.payload.get("reason") or REASONS[action]
    when = _when(row.payload, row.created_at)
    do_not_email = connector.write_back(_ams_id(row), action, reason, when)
    return {**row.payload, "do_not_email": bool(do_not_email)}


_SENDERS: dict[str, Callable[[Any, Bridge, Claimed, datetime], dict[str, Any]]] = {
    "imis": _imis,
    "personify": _personify,
    "netforum": _netforum,
}


def deliver_due(
    engine: Engine,
    clock: Clock,
    credentials: CredentialStore,
    *,
    bridge: str | None = None,
    keys: list[str] | None = None,
    connector_for: Callable[..., Any] = build_connector,
    limit: int = 500,
) -> DeliveryReport:
    """Claim the due writebacks (of one bridge, or only these keys, or all) and deliver each;
    see the outbox."""
    bridge_id = bridge_id_of(engine, bridge) if bridge is not None else None
    claimed = claim_due(engine, clock.now(), bridge_id=bridge_id, keys=keys, limit=limit)
    report = DeliveryReport(claimed=len(claimed))
    by_bridge: dict[int, list[Claimed]] = {}
    for row in claimed:
        by_bridge.setdefault(row.bridge_id, []).append(row)
    with Session(engine, expire_on_commit=False) as session:
        bridges = {b.id: b for b in session.scalars(select(Bridge).where(
            Bridge.id.in_(by_bridge)))}  # fmt: skip
        session.expunge_all()
    pending = [row.id for row in claimed]
    try:
        for bid, rows in by_bridge.items():
            _deliver_bridge(engine, clock, credentials, connector_for, bridges[bid], rows,
                            report, pending)  # fmt: skip
    finally:
        release(engine, pending, clock.now())  # only after an unexpected error: not attempted
    return report


def _deliver_bridge(
    engine: Engine,
    clock: Clock,
    credentials: CredentialStore,
    connector_for: Callable[..., Any],
    bridge: Bridge,
    rows: list[Claimed],
    report: DeliveryReport,
    pending: list[int],
) -> None:
    send = _SENDERS.get(bridge.kind)
    connector = None
    if send is not None:
        try:
            connector = connector_for(bridge, credentials)
        except ConnectorError as err:  # the bridge's problem (no password...), not the rows'
            ids = [row.id for row in rows]
            release(engine, ids, clock.now())
            for rid in ids:
                pending.remove(rid)
            report.deferred += len(ids)
            report.errors.append((None, bridge.name, "all", str(err)))
            return
    try:
        for index, row in enumerate(rows):
            pending.remove(row.id)
            now = clock.now()
            if any(key in row.payload for key in RECEIPTS):
                mark_sent(engine, row.id, now)  # the AMS took it before a crash: never twice
                report.already_sent += 1
                continue
            try:
                if send is None:
                    raise NotDeliverable(f"{bridge.kind} bridges take no writebacks; "
                                         f"{row.type} {row.key} cannot be sent.")  # fmt: skip
                if connector is None:
                    connector = connector_for(bridge, credentials)
                payload = send(connector, bridge, row, now)
            except ConnectorError as err:
                retry_at = mark_error(engine, row.id, now, str(err), transient=err.transient)
                report.errors.append((row.id, bridge.name, row.type, str(err)))
                if retry_at is None:
                    report.failed += 1
                    continue
                report.retrying += 1
                rest = [r.id for r in rows[index + 1 :]]
                release(engine, rest, retry_at)  # the AMS is not answering: try them later
                for rid in rest:
                    pending.remove(rid)
                report.deferred += len(rest)
                return
            mark_sent(engine, row.id, clock.now(), payload)
            report.sent += 1
    finally:
        close = getattr(connector, "close", None)
        if close is not None:
            close()
