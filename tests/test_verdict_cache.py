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
MESSY = ["  ann@example.org ", "bob@@example.org", "not-an-email", "Zoë@example.org"]


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
    assert set(calls) >= {"  ann@example.org ", "not-an-email"}
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
