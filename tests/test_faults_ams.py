"""Every AMS misbehaving for real, through the sync service (issue 6, "Faults").

For iMIS (REST + ODBC), Personify (OData), netFORUM (SOAP) and iDSS (REST), a resync meets an
endpoint whose port is closed, one that does not answer in time, one that drops the connection
part-way through the run, one that answers something unreadable, and a wrong password. Each
time: the run ends `failed` with one clear sentence naming the AMS and its site (no traceback,
no repr), the mirror is exactly as before, the sync log says the same sentence, and once the AMS
is well again the next run succeeds.

Transient failures (timeouts, 5xx, a connection reset) are tried again with backoff
(connectors/http_send.py, tenacity): a sandbox that fails the next two requests and then
recovers costs the run two more requests and nothing else. Permanent ones (a refused password,
a body that is not JSON/XML) are not retried: the sandbox counts exactly one attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fault_helpers import KINDS, AmsBridge, assert_one_sentence
from mirror_helpers import rows, snapshot

from informz_console.connectors import http_send
from informz_console.sync.cancel import Progress

# Requests that let the sign-in and the first pages through, so a fault lands mid-run.
FIRST_PAGES = {"imis": 3, "personify": 3, "netforum": 2, "idss": 2}
# Requests up to and including the sign-in (netFORUM reads its WSDL first).
SIGN_IN = {"imis": 1, "personify": 1, "netforum": 2, "idss": 1}
# The request a transient fault hits in the retry test: a page, or netFORUM's Authenticate.
TRANSIENT_AT = {"imis": 2, "personify": 1, "netforum": 1, "idss": 1}
SLOW_TIMEOUT_S = 0.5  # the bridge's timeout while the sandbox is slow (it sleeps 2 s)
SLOW_S = 2.0


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """The real retry code with short waits, so the suite does not sit out the backoff."""
    monkeypatch.setattr(http_send, "RETRY", http_send.RetryPolicy(3, 0.01, 0.05))


@pytest.fixture(autouse=True)
def quiet_sandboxes(capfd):
    """A fault the sandbox causes on purpose is no server error: nothing is printed."""
    yield
    printed = capfd.readouterr().err
    assert "Traceback" not in printed and "Exception occurred" not in printed, printed


@pytest.fixture(params=KINDS)
def bridge(request, tmp_path, mirror, credentials, clock) -> Iterator[AmsBridge]:
    """A bridge of each AMS, its group synced once: the state every fault must leave alone."""
    bridge = AmsBridge.start(request.param, tmp_path / "ams", mirror, credentials, clock)
    try:
        assert bridge.refresh().ok
        first = bridge.resync()
        assert first.ok, first.error
        assert first.counts.members_after > 0
        yield bridge
    finally:
        bridge.stop()


# -- each fault, and the way back -----------------------------------------------------------


def closed_port(bridge: AmsBridge) -> Callable[[], None]:
    port = bridge.port
    bridge.sandbox.stop()
    return lambda: bridge.sandbox.start(port)


def timeout(bridge: AmsBridge) -> Callable[[], None]:
    timeout_s = bridge.settings["timeout_s"]
    bridge.save(timeout_s=SLOW_TIMEOUT_S)
    bridge.sandbox.set_fault("slow", slow_s=SLOW_S)

    def undo() -> None:
        bridge.sandbox.set_fault(None)
        bridge.save(timeout_s=timeout_s)

    return undo


def dropped_mid_run(bridge: AmsBridge) -> Callable[[], None]:
    sandbox = bridge.sandbox
    if bridge.kind == "netforum":  # one streamed answer: cut it a third of the way in
        sandbox.set_fault("drop", after_requests=2, drop_after_bytes=40_000)  # type: ignore[call-arg]
    else:
        sandbox.set_fault("drop", after_requests=FIRST_PAGES[bridge.kind])
    return lambda: sandbox.set_fault(None)


def malformed(bridge: AmsBridge) -> Callable[[], None]:
    bridge.sandbox.set_fault("garbage")
    return lambda: bridge.sandbox.set_fault(None)


def wrong_password(bridge: AmsBridge) -> Callable[[], None]:
    right = bridge.credentials.get(bridge.secret_name)
    assert right is not None
    bridge.credentials.set(bridge.secret_name, "Not-The-Password-4711")
    return lambda: bridge.credentials.set(bridge.secret_name, right.reveal())


FAULTS = {
    "closed port": closed_port,
    "timeout": timeout,
    "dropped mid-run": dropped_mid_run,
    "malformed answer": malformed,
    "wrong password": wrong_password,
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_fails_the_run_in_one_sentence_and_changes_nothing(bridge, mirror, fault):
    before = snapshot(mirror)
    members_before = rows(mirror, "SELECT COUNT(*) FROM membership")
    undo = FAULTS[fault](bridge)
    seen: list[Progress] = []
    try:
        failed = bridge.resync(seen)
    finally:
        undo()

    assert failed.status == "failed"
    assert_one_sentence(failed.error, bridge.name, bridge.site)
    if fault == "dropped mid-run":  # records were already staged when the connection went
        assert any(p.phase == "fetch" and p.done > 0 for p in seen)
    assert snapshot(mirror) == before
    assert rows(mirror, "SELECT status, error FROM sync_run WHERE id = :r", r=failed.run_id) == [
        ("failed", failed.error)
    ]
    assert rows(
        mirror, "SELECT message FROM run_log WHERE run_id = :r AND level = 'error'",
        r=failed.run_id,
    ) == [(failed.error,)]

    recovered = bridge.resync()
    assert recovered.ok, recovered.error
    assert rows(mirror, "SELECT COUNT(*) FROM membership") == members_before


# -- retried or not -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["refuse", "drop", "slow"])  # 503, connection reset, timeout
def test_a_transient_fault_is_retried_and_the_run_succeeds(bridge, mirror, mode, caplog):
    if mode == "slow":
        bridge.save(timeout_s=SLOW_TIMEOUT_S)
    clean_before = bridge.sandbox.requests_received
    clean = bridge.resync()
    assert clean.ok, clean.error
    clean_requests = bridge.sandbox.requests_received - clean_before

    before = snapshot(mirror)
    bridge.sandbox.set_fault(mode, after_requests=TRANSIENT_AT[bridge.kind], slow_s=SLOW_S, times=2)
    start = bridge.sandbox.requests_received
    caplog.set_level(logging.INFO, logger=http_send.__name__)
    retried = bridge.resync()
    assert retried.ok, retried.error
    said = [r.getMessage() for r in caplog.records if "trying again" in r.getMessage()]
    assert len(said) == 2 and all(s.startswith(f"{bridge.name} at {bridge.site}") for s in said)
    # the two failed attempts were tried again: two requests more than a clean run, no more
    assert bridge.sandbox.requests_received - start == clean_requests + 2
    assert retried.counts.members_after == clean.counts.members_after
    assert snapshot(mirror) == before


@pytest.mark.parametrize("fault", ["wrong password", "malformed answer"])
def test_a_permanent_fault_is_not_retried(bridge, fault):
    undo = FAULTS[fault](bridge)
    start = bridge.sandbox.requests_received
    try:
        failed = bridge.resync()
    finally:
        undo()
    assert failed.status == "failed"
    tried = bridge.sandbox.requests_received - start
    assert tried == (SIGN_IN[bridge.kind] if fault == "wrong password" else 1)


def test_a_netforum_fault_answer_cut_short_is_quiet(tmp_path, mirror, credentials, clock):
    """The sandbox cuts its own fault answer (a wrong password's, here) without printing a
    traceback from its server thread (`quiet_sandboxes` checks), and the run says why."""
    bridge = AmsBridge.start("netforum", tmp_path / "ams", mirror, credentials, clock)
    try:
        assert bridge.refresh().ok
        undo = wrong_password(bridge)
        bridge.sandbox.set_fault("drop", after_requests=1)  # the WSDL, then the sign-in is cut
        failed = bridge.resync()
        undo()
    finally:
        bridge.stop()
    assert failed.status == "failed"
    assert_one_sentence(failed.error, "netFORUM", "closed the connection")


# -- the iMIS database over ODBC ------------------------------------------------------------


@pytest.fixture
def imis_bridge(tmp_path, mirror, credentials, clock) -> Iterator[AmsBridge]:
    bridge = AmsBridge.start("imis", tmp_path / "ams", mirror, credentials, clock)
    try:
        assert bridge.refresh().ok
        assert bridge.resync().ok
        yield bridge
    finally:
        bridge.stop()


def test_an_unreachable_imis_database_fails_the_run_in_one_sentence(imis_bridge, mirror, tmp_path):
    missing = tmp_path / "gone" / "imis.db"
    imis_bridge.save(connection_string=f"Driver=SQLite3;Database={missing};")
    before = snapshot(mirror)
    failed = imis_bridge.resync()
    assert failed.status == "failed"
    assert_one_sentence(failed.error, "iMIS database", "connection string")
    assert snapshot(mirror) == before
    imis_bridge.save(connection_string=imis_bridge.sandbox.odbc_connection_string)
    assert imis_bridge.resync().ok
