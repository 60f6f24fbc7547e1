"""Personify360 end to end through the sync service and the real Personify sandbox (seed 001).

Every run goes through `SyncService` exactly as the console runs it: a bridge saved with
`save_bridge`, its password in the credential store, the connector built from both, and the
sandbox's Personify Data Services (OData v2) on 127.0.0.1.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mirror_helpers import exclusion_of, member_ids, members, rows, status_of
from personify_fixtures import personify, personify_template  # noqa: F401
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from informz_console.domain.exclusions import ExclusionReason
from informz_console.domain.subscriber_status import REMOTE_UNSUBSCRIBE_REASON
from informz_console.store.models import TargetGroup
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

BRIDGE = "Personify"
EVERYONE = "ALLCUST"  # every customer: the largest MKT list
REMOTE = ExclusionReason.REMOTE_UNSUBSCRIBED.value


@pytest.fixture
def service(mirror, credentials, clock, personify):  # noqa: F811
    spec = BridgeSpec("personify", BRIDGE, personify.bridge_settings())
    credentials.set(save_bridge(mirror, spec, clock), personify.password)
    service = SyncService(mirror, credentials, clock)
    assert service.run(SyncRequest(BRIDGE, SyncKind.REFRESH_LIST)).ok
    return service


def resync(service: SyncService, code: str):  # type: ignore[no-untyped-def]
    result = service.run(SyncRequest(BRIDGE, SyncKind.RESYNC_GROUP, group=code))
    assert result.ok, result.error
    return result


def refresh(service: SyncService) -> dict[str, dict]:
    """Refresh Target Group List; the groups' `detail` by ListCode."""
    result = service.run(SyncRequest(BRIDGE, SyncKind.REFRESH_LIST))
    assert result.ok, result.error
    with Session(service.engine) as session:
        return {g.remote_key: dict(g.detail) for g in session.scalars(select(TargetGroup))}


def is_member(mirror, code: str, ams_id: str) -> bool:
    return ams_id in member_ids(mirror, code)


def set_customer(personify, ams_id: str, **columns: object) -> None:  # noqa: F811
    """Change a customer in Personify, as staff would in CRM360."""
    master, sub = ams_id.rsplit("-", 1)
    assignments = ", ".join(f"{name} = ?" for name in columns)
    personify.execute(
        f"UPDATE Customer SET {assignments} WHERE MasterCustomerId = ? AND SubCustomerId = ?",
        (*columns.values(), master, int(sub)),
    )


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


# -- Refresh Target Group List ---------------------------------------------------------------------


def test_refresh_brings_every_mkt_list_with_its_regeneration(service, personify):  # noqa: F811
    """Seed 001: "When you click Refresh Target Group List, Informz requests any available
    Marketing and Communication lists"; "For each list, decide the automatic refresh frequency";
    "Data pulled into Informz will be up to date as of the last list refresh"."""
    details = refresh(service)
    lists = personify.execute(
        "SELECT ListCode, RegenerationFrequency, LastRegeneratedOn FROM MarketingList"
    )
    assert set(details) == {code for code, _, _ in lists}
    for code, frequency, regenerated in lists:
        when = ""
        if regenerated:
            when = stamp(datetime.strptime(regenerated, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC))
        assert details[code]["regeneration_frequency"] == (frequency or ""), code
        assert details[code]["last_regenerated_on"] == when, code
        assert details[code]["stale"] in ("yes", "no"), code
    assert details["NEWMBR"]["last_regenerated_on"] == ""  # MKT510 never ran
    assert details["NEWMBR"]["stale"] == "yes"
    assert details["NEWSLTR"]["stale"] == "yes"  # Daily, 3 days old when generated
    assert details["LAPSED"]["stale"] == "yes"  # Monthly, 45 days old when generated
    assert details["BOARD"]["stale"] == "no"  # no regeneration frequency: nothing promised
    with Session(service.engine) as session:
        assert set(session.scalars(select(TargetGroup.kind))) == {"query"}


def test_a_list_is_stale_or_fresh_at_the_consoles_clock(service, personify, clock):  # noqa: F811
    """Seed 001: "You must set up an MKT Job to refresh (i.e., "regenerate") the MKT Lists in
    Personify360 at your desired frequency"; "Data pulled into Informz will be up to date as of
    the last list refresh". A Daily list regenerated two hours ago is fresh, one regenerated three
    days ago is stale, and the fresh one goes stale once a day has passed without an MKT600."""
    personify.regenerate("ACTMBR", clock.now() - timedelta(hours=2))  # Daily
    personify.regenerate("NEWSLTR", clock.now() - timedelta(days=3))  # Daily
    details = refresh(service)
    assert details["ACTMBR"]["last_regenerated_on"] == stamp(clock.now() - timedelta(hours=2))
    assert details["NEWSLTR"]["stale"] == "yes"
    # The flag must be judged at the console's clock, the one that stamps the refresh itself
    # (bridge.last_list_refresh_at), not at whatever time the connector's own clock says.
    assert details["ACTMBR"]["stale"] == "no"
    clock.advance(hours=22, seconds=1)
    assert refresh(service)["ACTMBR"]["stale"] == "yes"


# -- Allow Email / Allow Solicitation --------------------------------------------------------------


def test_allow_email_false_is_unsubscribed_from_remote_system(service, mirror, personify):  # noqa: F811
    """Seed 001: "If the flag is set to False, Informz will bring over the Personify360
    constituent during the sync process. The record will be set as Unsubscribed from remote
    system." and "The Allow Solicitation flag will also control the Allow Email flag"."""
    resync(service, EVERYONE)
    no_email, no_solicitation = member_ids(mirror, EVERYONE)[:2]
    set_customer(personify, no_email, AllowEmail=0)
    set_customer(personify, no_solicitation, AllowEmail=1, AllowSolicitation=0)
    result = resync(service, EVERYONE)
    for ams_id in (no_email, no_solicitation):
        assert status_of(mirror, ams_id) == ("remote_unsubscribed", REMOTE_UNSUBSCRIBE_REASON)
        assert not is_member(mirror, EVERYONE, ams_id)
        assert exclusion_of(mirror, result.run_id, ams_id) == REMOTE
    assert result.counts.removed == 2


def test_no_solicitation_customers_are_brought_over_unsubscribed(service, mirror, personify):  # noqa: F811
    """Seed 001: "NOTE: The Allow Solicitation flag will also control the Allow Email flag. If
    Personify360 customers have indicated they do not want to allow solicitation, then they
    consequently will not allow emails." The generated customers with Allow Solicitation false
    mostly still hold Allow Email true: each is brought over unsubscribed, never a member."""
    result = resync(service, EVERYONE)
    refusing = [
        r[0]
        for r in personify.execute(
            "SELECT MasterCustomerId || '-' || SubCustomerId FROM Customer "
            "WHERE AllowSolicitation = 0 AND AllowEmail = 1 AND DoNotSolicitByEmail = 0"
        )
    ]
    linked = {
        ams_id: status
        for ams_id, status in rows(
            mirror,
            "SELECT l.ams_id, s.status FROM subscriber_link l "
            "JOIN subscriber s ON s.id = l.subscriber_id",
        )
    }
    brought = [ams_id for ams_id in refusing if ams_id in linked]
    assert len(brought) >= 5  # the rest have no usable email, or share one
    assert {linked[ams_id] for ams_id in brought} == {"remote_unsubscribed"}
    assert not set(brought) & set(member_ids(mirror, EVERYONE))
    assert {exclusion_of(mirror, result.run_id, ams_id) for ams_id in brought} == {REMOTE}


def test_allow_email_back_on_resubscribes_a_personify_unsubscribe(service, mirror, personify):  # noqa: F811
    """Seed 001 / DOMAIN.md: "setting it back to true resubscribes on the next sync only if the
    unsubscribe started in Personify" (seed 001: "Informz uses Personify360's Allow Email flag to
    determine if Personify360 customers ... have opted to a) receive mailings or b) do not wish
    to receive mailings")."""
    resync(service, EVERYONE)
    no_email, no_solicitation = member_ids(mirror, EVERYONE)[:2]
    set_customer(personify, no_email, AllowEmail=0)
    set_customer(personify, no_solicitation, AllowSolicitation=0)
    resync(service, EVERYONE)
    set_customer(personify, no_email, AllowEmail=1)
    set_customer(personify, no_solicitation, AllowSolicitation=1)
    # ALLCUST holds every customer: the flags do not change who is in the list, so no MKT600.
    result = resync(service, EVERYONE)
    for ams_id in (no_email, no_solicitation):
        assert status_of(mirror, ams_id) == ("active", None)
        assert is_member(mirror, EVERYONE, ams_id)
        assert exclusion_of(mirror, result.run_id, ams_id) is None
    assert result.counts.added == 2


def test_a_mirror_unsubscribe_outlasts_allow_email(service, mirror, personify, clock):  # noqa: F811
    """Seed 001 / DOMAIN.md: Allow Email back on "resubscribes on the next sync only if the
    unsubscribe started in Personify"; an unsubscribe is global. A subscriber who unsubscribed in
    the platform stays out though Personify allows email, and Allow Email going false then true
    does not turn that unsubscribe into a remote one that Personify could lift."""
    resync(service, EVERYONE)
    ams_id = member_ids(mirror, EVERYONE)[0]
    with service.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE subscriber SET status = 'unsubscribed', status_reason = :why, "
                "status_at = :now WHERE id = (SELECT subscriber_id FROM subscriber_link "
                "WHERE ams_id = :a)"
            ),
            {"why": "Unsubscribed by the subscriber", "now": clock.now(), "a": ams_id},
        )
    result = resync(service, EVERYONE)
    assert status_of(mirror, ams_id) == ("unsubscribed", "Unsubscribed by the subscriber")
    assert not is_member(mirror, EVERYONE, ams_id)
    assert exclusion_of(mirror, result.run_id, ams_id) == ExclusionReason.UNSUBSCRIBED.value
    # Allow Email off: the record-level rule comes first, so this run excludes it as a remote
    # opt-out; the mirror's own unsubscribe is kept, not replaced by a remote one.
    for allow, reason in ((0, REMOTE), (1, ExclusionReason.UNSUBSCRIBED.value)):
        set_customer(personify, ams_id, AllowEmail=allow)
        result = resync(service, EVERYONE)
        assert status_of(mirror, ams_id) == ("unsubscribed", "Unsubscribed by the subscriber")
        assert not is_member(mirror, EVERYONE, ams_id)
        assert exclusion_of(mirror, result.run_id, ams_id) == reason


def test_a_resync_passes_over_customers_as_last_synced_and_sees_a_changed_one(
    service, mirror, personify  # noqa: F811
):
    """A customer is compared with its last sync as its CustomerInfo entity (sync/member_rows):
    a second resync of an unchanged list passes over every customer whose outcome was its own,
    and a name changed in CRM360 is staged whole and written."""
    first = resync(service, EVERYONE)
    before = rows(mirror, "SELECT count(*) FROM synced_record")[0][0]
    second = resync(service, EVERYONE)
    assert (second.counts.added, second.counts.updated) == (0, 0)
    assert (f"{before:,} of {first.counts.fetched:,} records are as this bridge last synced "
            f"them: passed over, not compared again.",) in rows(
        mirror, "SELECT message FROM run_log WHERE run_id = :r", r=second.run_id)
    ams_id = member_ids(mirror, EVERYONE)[0]
    set_customer(personify, ams_id, FirstName="Renamed")
    third = resync(service, EVERYONE)
    assert third.counts.updated == 1
    assert rows(mirror, "SELECT s.first_name FROM subscriber s JOIN subscriber_link l "
                "ON l.subscriber_id = s.id WHERE l.ams_id = :a", a=ams_id) == [("Renamed",)]


# -- counts --------------------------------------------------------------------------------------


def test_the_largest_lists_counts_add_up(service, mirror, personify):  # noqa: F811
    """Seed 001: "Resync Target Group on the Count Details page (this will sync subscribers)":
    every customer fetched from the list is either a member or excluded with one reason."""
    ((largest, size),) = personify.execute(
        "SELECT ListCode, COUNT(*) FROM MarketingListMember GROUP BY ListCode "
        "ORDER BY COUNT(*) DESC LIMIT 1"
    )
    assert largest == EVERYONE
    result = resync(service, largest)
    c = result.counts
    assert c.expected == c.fetched == size
    assert c.fetched == c.members_after + c.excluded
    assert c.members_after == len(members(mirror, largest))
    reasons = rows(
        mirror, "SELECT ams_id, reason FROM exclusion WHERE run_id = :r", r=result.run_id
    )
    assert len(reasons) == c.excluded
    assert {reason for _, reason in reasons} <= {r.value for r in ExclusionReason}
    assert {REMOTE, "missing_email", "invalid_email", "duplicate_email"} <= {
        reason for _, reason in reasons
    }
    assert len({ams_id for ams_id, _ in reasons}) == c.excluded  # one reason per customer


# -- MKT lists are snapshots ---------------------------------------------------------------------


def test_members_are_as_fresh_as_the_last_regeneration(service, mirror, personify, clock):  # noqa: F811
    """Seed 001: "Data pulled into Informz will be up to date as of the last list refresh." A
    customer who now matches a list's rule joins it, and one who no longer matches leaves it,
    only once MKT600 has regenerated the list."""
    list_code = "ACTMBR"  # CustomerClassCode MEMBER and CustomerStatusCode ACTIVE
    resync(service, list_code)
    leaving = member_ids(mirror, list_code)[0]
    set_customer(personify, leaving, CustomerStatusCode="INACTIVE")
    joining = "000009999991-0"
    personify.execute(
        "INSERT INTO Customer (MasterCustomerId, SubCustomerId, RecordType, FirstName, LastName,"
        " PrimaryEmailAddress, AllowEmail, AllowSolicitation, CustomerStatusCode,"
        " CustomerClassCode) VALUES ('000009999991', 0, 'I', 'Nina', 'New',"
        " 'nina.new@example.org', 1, 1, 'ACTIVE', 'MEMBER')"
    )
    stale = resync(service, list_code)
    assert "nina.new@example.org" not in members(mirror, list_code)
    assert is_member(mirror, list_code, leaving)
    assert (stale.counts.added, stale.counts.removed) == (0, 0)

    personify.regenerate(list_code, clock.now())
    fresh = resync(service, list_code)
    assert "nina.new@example.org" in members(mirror, list_code)
    assert is_member(mirror, list_code, joining)
    assert not is_member(mirror, list_code, leaving)
    assert (fresh.counts.added, fresh.counts.removed) == (1, 1)
    assert rows(
        mirror,
        "SELECT reason FROM run_change WHERE run_id = :r AND change = 'removed'",
        r=fresh.run_id,
    ) == [("not_in_query",)]
