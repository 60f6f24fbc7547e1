"""The mirror's email verdict cache: an address that needed email-validator is validated once,
ever; a later run reads the verdict from the mirror (whole, or page by page once it is big)."""

from __future__ import annotations

import pytest
from mirror_helpers import add_bridge, members
from static_connector import StaticAms, StaticConnector

from informz_console.domain import emails
from informz_console.domain.records import RemoteRecord as R
from informz_console.sync import verdict_cache
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

G = "$/Test/Members"
# Addresses only email-validator can judge (an ASCII typo the fast path fixes itself, so these
# carry an nbsp: emails.fast_verdict)
MESSY = ["\xa0ann@example.org ", "bob@@example.org\xa0", "not-an-email", "Zoë@example.org"]


@pytest.fixture
def service(mirror, credentials, clock) -> SyncService:
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    records = [R(str(n), raw, "A") for n, raw in enumerate(MESSY, 1)]
    records.append(R("9", "plain@example.org", "A"))  # the fast path's: never cached
    ams = StaticAms(groups={G: records})
    return SyncService(mirror, credentials, clock,
                       connector_for=lambda bridge, creds: StaticConnector(ams))


def _validator_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts email-validator's calls (a spy on the real function, which still answers)."""
    calls: list[str] = []
    real = emails.validate_email

    def spy(address, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(address)
        return real(address, **kwargs)

    monkeypatch.setattr(emails, "validate_email", spy)
    return calls


@pytest.mark.parametrize("whole_up_to", [verdict_cache.WHOLE_UP_TO, 0],
                         ids=["read-whole", "read-per-page"])
def test_a_later_run_takes_the_verdicts_from_the_mirror(service, mirror, monkeypatch,
                                                        whole_up_to):
    monkeypatch.setattr(verdict_cache, "WHOLE_UP_TO", whole_up_to)
    calls = _validator_calls(monkeypatch)
    first = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))
    assert first.ok, first.error
    assert set(calls) >= {"\xa0ann@example.org ", "not-an-email"}
    assert "plain@example.org" not in calls
    before = members(mirror, G)
    assert "ann@example.org" in before and "bob@example.org" in before

    calls.clear()
    second = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))
    assert second.ok, second.error
    assert calls == []  # every messy address answered by the mirror's cache
    assert members(mirror, G) == before
    assert (second.counts.excluded, second.counts.added, second.counts.updated) == \
        (first.counts.excluded, 0, 0)


@pytest.mark.parametrize(("kind", "verdicts_read"), [(SyncKind.PARTIAL, [1]),
                                                     (SyncKind.FULL, [4])])
def test_a_change_feed_looks_its_few_addresses_up_instead_of_reading_the_cache(
        service, mirror, monkeypatch, kind, verdicts_read):
    """A partial sync carries the records that changed: it asks the cache for its messy
    addresses only (still never calling the validator for them), not for every verdict. A full
    refresh carries every record of the bridge: it reads the (small) cache whole."""
    from informz_console.domain.records import ChangeKind, RemoteChange

    service.is_staff = True  # a full refresh is staff's (seed 000)

    calls = _validator_calls(monkeypatch)
    assert service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G)).ok
    whole_reads: list[int] = []
    real_verdicts = verdict_cache._verdicts

    def counted(rows):  # type: ignore[no-untyped-def]
        found = real_verdicts(rows)
        whole_reads.append(len(found))
        return found

    monkeypatch.setattr(verdict_cache, "_verdicts", counted)
    ams = service.connector_for(None, None).ams  # the StaticAms behind the fixture
    ams.changes = [RemoteChange(1, ChangeKind.CHANGED, R("1", MESSY[0], "A", "Ann"))]
    calls.clear()
    partial = service.run(SyncRequest("iMIS", kind))
    assert partial.ok, partial.error
    assert calls == []  # its address came from the cache
    # partial: one lookup, of the one address the fast path could not answer
    assert whole_reads == verdicts_read
    assert partial.counts.updated == 1
