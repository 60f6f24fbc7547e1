"""The writeback outbox against the real sandboxes: iMIS Activity rows, Personify and netFORUM
flags (DOMAIN.md, writebacks)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from imis_fixtures import imis, imis_template  # noqa: F401
from mirror_helpers import rows
from netforum_fixtures import netforum, netforum_template  # noqa: F401
from personify_fixtures import personify, personify_template  # noqa: F401
from sqlalchemy import text

from informz_console.connectors.personify import split_ams_id
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.outbox import (
    LEASE,
    deliver_due,
    enqueue,
    retry_failed,
    summary,
)
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

EVERYONE = "$/Informz/Everyone"


def _bridge_id(mirror, name: str) -> int:
    return rows(mirror, "SELECT id FROM bridge WHERE name = :n", n=name)[0][0]


def _queue(mirror, clock, name: str, kind: str, key: str, **payload) -> None:
    bridge_id = _bridge_id(mirror, name)
    with mirror.begin() as conn:
        assert enqueue(conn, bridge_id=bridge_id, subscriber_id=None, type=kind,
                       key=key, payload=payload, now=clock.now())  # fmt: skip


def _state(mirror, key: str) -> tuple:
    return rows(mirror, "SELECT state, attempts, last_error, next_attempt_at, sent_at FROM "
                        "writeback WHERE key = :k", k=key)[0]  # fmt: skip


# -- iMIS ----------------------------------------------------------------------------------------


@pytest.fixture
def imis_bridge(mirror, credentials, clock, imis):  # noqa: F811
    settings = imis.bridge_settings(ud_opt_out_field="EMAIL_OPT_OUT")
    credentials.set(save_bridge(mirror, BridgeSpec("imis", "iMIS", settings), clock),
                    imis.password)  # fmt: skip
    return imis


def _counter(imis) -> int:  # noqa: F811
    return imis.execute("SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME = 'Activity'")[0][0]


def _member(imis) -> str:  # noqa: F811
    return imis.execute("SELECT MIN(ID) FROM Informz_Preferences WHERE EMAIL_OPT_OUT = 0")[0][0]


def test_icorrect_rows_from_a_sync_are_delivered_as_activity_rows(
    imis_bridge, mirror, credentials, clock
):
    """DOMAIN iCORRECT: an auto-corrected address, original and corrected, written back as an
    Activity row whose SEQN comes from the Counter table."""
    service = SyncService(mirror, credentials, clock)
    assert service.run(SyncRequest("iMIS", SyncKind.REFRESH_LIST)).ok
    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=EVERYONE))
    assert result.ok, result.error
    queued = rows(mirror, "SELECT key, payload FROM writeback WHERE type = 'iCORRECT'")
    assert queued and summary(mirror) == [("iMIS", "iCORRECT", "ready", len(queued))]
    before = _counter(imis_bridge)

    report = deliver_due(mirror, clock, credentials)

    assert (report.claimed, report.sent, report.failed) == (len(queued), len(queued), 0)
    assert _counter(imis_bridge) == before + len(queued)
    written = imis_bridge.execute(
        "SELECT SEQN, ID, ACTIVITY_TYPE, PRODUCT_CODE, DESCRIPTION, UF_1, UF_2 FROM Activity "
        "WHERE SEQN > ? ORDER BY SEQN", (before,))  # fmt: skip
    assert [w[0] for w in written] == list(range(before + 1, before + len(queued) + 1))
    payloads = {p["ams_id"]: p for p in (json.loads(raw) for _, raw in rows(
        mirror, "SELECT key, payload FROM writeback"))}  # fmt: skip
    for seqn, ams_id, kind, product, description, original, corrected in written:
        p = payloads[ams_id]
        assert (kind, product, p["seqn"]) == ("iCORRECT", "iCORRECT", seqn)
        assert (original, corrected) == (p["original"], p["corrected"])
        assert original != corrected  # e.g. admin@@x.org -> admin@x.org, or spaces trimmed
        assert description == f"{corrected[:250]} 2026-11-02 2026-11-02"
    assert summary(mirror) == [("iMIS", "iCORRECT", "sent", len(queued))]
    assert deliver_due(mirror, clock, credentials).claimed == 0  # nothing is sent twice


def test_a_duplicate_enqueue_is_ignored(imis_bridge, mirror, clock):
    bid = _bridge_id(mirror, "iMIS")
    args = {"bridge_id": bid, "subscriber_id": None, "type": "iUNSUB", "key": "iUNSUB:1:100",
            "payload": {"ams_id": "100", "email": "a@x.org"}, "now": clock.now()}  # fmt: skip
    with mirror.begin() as conn:
        assert enqueue(conn, **args)
    with mirror.begin() as conn:
        assert not enqueue(conn, **{**args, "payload": {"ams_id": "other"}})
    assert rows(mirror, "SELECT COUNT(*), MIN(CAST(payload AS TEXT)) FROM writeback") == [
        (1, '{"ams_id": "100", "email": "a@x.org"}')]  # fmt: skip


def test_ioptout_sets_the_ud_checkbox_with_its_activity_row(imis_bridge, mirror, credentials,
                                                            clock):  # fmt: skip
    """DOMAIN iOPTOUT: written immediately; also sets the opt-out field of the UD table."""
    member = _member(imis_bridge)
    _queue(mirror, clock, "iMIS", "iOPTOUT", f"iOPTOUT:{member}", ams_id=member,
           email="opt.out@example.org")  # fmt: skip
    before = _counter(imis_bridge)
    assert deliver_due(mirror, clock, credentials).sent == 1
    assert imis_bridge.execute("SELECT EMAIL_OPT_OUT FROM Informz_Preferences WHERE ID = ?",
                               (member,)) == [(1,)]  # fmt: skip
    assert imis_bridge.execute(
        "SELECT SEQN, ID, ACTIVITY_TYPE, DESCRIPTION FROM Activity WHERE SEQN > ?", (before,)
    ) == [  # fmt: skip
        (before + 1, member, "iOPTOUT", "opt.out@example.org 2026-11-02 2026-11-02")
    ]


def test_a_permanent_error_fails_until_retried(imis_bridge, mirror, credentials, clock):
    member = _member(imis_bridge)
    _queue(mirror, clock, "iMIS", "iUNSUB", "k1", ams_id=member, email="u@example.org")
    imis_bridge.execute("UPDATE Counter SET COUNTER_NAME = 'Moved' WHERE COUNTER_NAME = 'Activity'")
    report = deliver_due(mirror, clock, credentials)
    assert (report.failed, report.sent) == (1, 0)
    state, attempts, error, next_at, _ = _state(mirror, "k1")
    assert (state, attempts, next_at) == ("failed", 1, None)
    assert error.startswith("The iMIS Counter table has no 'Activity' row")
    clock.advance(days=1)
    assert deliver_due(mirror, clock, credentials).claimed == 0  # failed rows wait for a person

    imis_bridge.execute("UPDATE Counter SET COUNTER_NAME = 'Activity' WHERE COUNTER_NAME = 'Moved'")
    assert retry_failed(mirror, clock) == 1
    assert _state(mirror, "k1")[:2] == ("ready", 1)
    assert deliver_due(mirror, clock, credentials).sent == 1
    assert _state(mirror, "k1")[0] == "sent"


def test_an_expired_lease_is_delivered_exactly_once(imis_bridge, mirror, credentials, clock):
    """A console killed mid-delivery leaves rows `processing`: once the lease has expired they
    are delivered, and one whose SEQN was already recorded is not written again."""
    member = _member(imis_bridge)
    _queue(mirror, clock, "iMIS", "iUNSUB", "left", ams_id=member, email="left@example.org")
    _queue(mirror, clock, "iMIS", "iUNSUB", "done", ams_id=member, email="done@example.org",
           seqn=12345)  # fmt: skip
    _queue(mirror, clock, "iMIS", "iUNSUB", "busy", ams_id=member, email="busy@example.org")
    with mirror.begin() as conn:
        conn.execute(
            text(
                "UPDATE writeback SET state = 'processing', next_attempt_at = :at "
                "WHERE key IN ('left', 'done')"
            ),
            {"at": (clock.now() - timedelta(minutes=1)).replace(tzinfo=None)},
        )
        conn.execute(text("UPDATE writeback SET state = 'processing', next_attempt_at = :at "
                          "WHERE key = 'busy'"),
                     {"at": (clock.now() + LEASE).replace(tzinfo=None)})  # fmt: skip
    before = _counter(imis_bridge)

    report = deliver_due(mirror, clock, credentials)

    assert (report.claimed, report.sent, report.already_sent) == (2, 1, 1)
    assert imis_bridge.execute("SELECT DESCRIPTION FROM Activity WHERE SEQN > ?", (before,)) == [
        ("left@example.org 2026-11-02 2026-11-02",)
    ]
    assert _state(mirror, "busy")[0] == "processing"  # another console holds its lease
    clock.advance(minutes=16)
    assert deliver_due(mirror, clock, credentials).sent == 1
    assert _counter(imis_bridge) == before + 2
    assert deliver_due(mirror, clock, credentials).claimed == 0


# -- Personify -----------------------------------------------------------------------------------


@pytest.fixture
def personify_bridge(mirror, credentials, clock, personify):  # noqa: F811
    spec = BridgeSpec("personify", "Personify", personify.bridge_settings(timeout_s=3.0))
    credentials.set(save_bridge(mirror, spec, clock), personify.password)
    return personify


def _flags(sandbox, ams_id: str) -> tuple:
    master, sub = split_ams_id(ams_id)
    return sandbox.execute(
        "SELECT AllowEmail, DoNotSolicitByEmail, BadEmailFlag FROM Customer"
        " WHERE MasterCustomerId = ? AND SubCustomerId = ?", (master, sub))[0]  # fmt: skip


def _customer(personify) -> str:  # noqa: F811
    master, sub = personify.execute(
        "SELECT MasterCustomerId, SubCustomerId FROM Customer WHERE AllowEmail = 1 AND "
        "AllowSolicitation = 1 AND DoNotSolicitByEmail = 0 AND BadEmailFlag = 0 LIMIT 1"
    )[0]
    return f"{master}-{sub}"


def test_personify_down_retries_later_then_delivers(personify_bridge, mirror, credentials,
                                                    clock):  # fmt: skip
    """Seed 001: unsubscribe sets Do Not Solicit by Email; the AMS down delays, never loses."""
    customer = _customer(personify_bridge)
    _queue(mirror, clock, "Personify", "unsubscribe", "p1", ams_id=customer)
    _queue(mirror, clock, "Personify", "bad_email", "p2", ams_id=customer)
    personify_bridge.set_fault("refuse")
    report = deliver_due(mirror, clock, credentials)
    assert (report.retrying, report.deferred, report.sent) == (1, 1, 0)
    state, attempts, error, next_at, _ = _state(mirror, "p1")
    assert (state, attempts, next_at) == ("ready", 1, "2026-11-02 14:01:00.000000")  # +1 min
    assert error.endswith(".") and "503" in error
    assert _state(mirror, "p2")[:2] == ("ready", 0)
    assert _flags(personify_bridge, customer) == (1, 0, 0)

    personify_bridge.set_fault(None)
    assert deliver_due(mirror, clock, credentials).claimed == 0  # not due yet
    clock.advance(minutes=1)
    report = deliver_due(mirror, clock, credentials)
    assert report.sent == 2
    assert _flags(personify_bridge, customer) == (0, 1, 1)
    assert _state(mirror, "p1")[3:] == (None, "2026-11-02 14:01:00.000000")


def test_an_unknown_personify_customer_fails(personify_bridge, mirror, credentials, clock):
    _queue(mirror, clock, "Personify", "iUNSUB", "p3", ams_id="999999999999-0")
    assert deliver_due(mirror, clock, credentials).failed == 1
    assert _state(mirror, "p3")[0] == "failed"
    assert "has no customer 999999999999-0" in _state(mirror, "p3")[2]


# -- netFORUM ------------------------------------------------------------------------------------


def test_netforum_writebacks_set_do_not_email(mirror, credentials, clock, netforum):  # noqa: F811
    """DOMAIN netFORUM: unsubscribe sets Do Not Email true, resubscribe false, bad email is an
    unsubscribe."""
    credentials.set(save_bridge(mirror, BridgeSpec("netforum", "NF", netforum.bridge_settings()),
                                clock), netforum.password)  # fmt: skip
    on, off = (netforum.execute("SELECT CustomerKey FROM Customer WHERE DoNotEmail = ? LIMIT 1",
                                (flag,))[0][0] for flag in (0, 1))  # fmt: skip
    _queue(mirror, clock, "NF", "unsubscribe", "n1", ams_id=on)
    _queue(mirror, clock, "NF", "iRESUB", "n2", ams_id=off)
    report = deliver_due(mirror, clock, credentials, bridge="NF")
    assert report.sent == 2, report.errors
    assert netforum.execute(
        "SELECT CustomerKey, DoNotEmail FROM Customer WHERE CustomerKey IN "
        "(?, ?) ORDER BY DoNotEmail",
        (on, off),
    ) == [(off, 0), (on, 1)]
    assert summary(mirror, bridge="NF") == [
        ("NF", "iRESUB", "sent", 1),
        ("NF", "unsubscribe", "sent", 1),
    ]
