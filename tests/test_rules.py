"""The record-level sync rules, one test per rule of the seeds (pure functions, no I/O)."""

from __future__ import annotations

import pytest

from informz_console.domain.eligibility import SyncPolicy, judge, mirror_reason
from informz_console.domain.email_source import AddressEmail, EmailSource
from informz_console.domain.emails import check_email
from informz_console.domain.exclusions import ExclusionReason as X
from informz_console.domain.records import RemoteRecord as R
from informz_console.domain.statuses import AcceptedStatuses

POLICY = SyncPolicy(AcceptedStatuses.parse(["A"]))


def reason(record: R, policy: SyncPolicy = POLICY) -> X | None:
    return judge(record, policy, check_email(record.email)).reason


def test_an_active_identified_valid_record_is_synced():
    """Seed 000: accepted status + iMIS ID + valid email + not unsubscribed -> synced."""
    assert reason(R("100001", "ann@example.org", "A")) is None


@pytest.mark.parametrize("status", ["S", "I", "D", "SUSP", None, ""])
def test_a_status_the_bridge_does_not_accept_is_excluded(status):
    """Seed 000: "Informz only syncs iMIS records that have statuses that Informz is set to
    accept (e.g. Active)"; S, I, D prefixes are suspended, inactive, marked for deletion."""
    assert reason(R("1", "ann@example.org", status)) is X.STATUS_NOT_ACCEPTED


def test_accepted_statuses_are_a_bridge_setting_with_prefixes():
    """DOMAIN: active codes are A or start with A; the accepted set is a bridge setting."""
    accepted = AcceptedStatuses.parse(["A*"])
    assert accepted.accepts("AF") and accepted.accepts("a") and not accepted.accepts("SA")
    exact = AcceptedStatuses.parse(["A", "AF"])
    assert exact.accepts(" af ") and not exact.accepts("AX")
    with pytest.raises(ValueError, match="name at least one status code"):
        AcceptedStatuses.parse([" ", ""])


@pytest.mark.parametrize("ams_id", [None, "", "   "])
def test_a_record_without_an_ams_id_is_excluded(ams_id):
    """Seed 000: only records "that have an iMIS ID" sync."""
    assert reason(R(ams_id, "ann@example.org", "A")) is X.NO_AMS_ID


def test_missing_and_invalid_emails_are_excluded_apart():
    """Seed 000: "Some iMIS records do not have valid email addresses"."""
    assert reason(R("1", None, "A")) is X.MISSING_EMAIL
    assert reason(R("1", "  ", "A")) is X.MISSING_EMAIL
    assert reason(R("1", "ann at example.org", "A")) is X.INVALID_EMAIL


def test_an_obvious_typo_is_corrected_not_excluded():
    """DOMAIN iCORRECT: admin@@x.org is auto-corrected to admin@x.org."""
    judged = judge(R("1", "admin@@example.org", "A"), POLICY, check_email("admin@@example.org"))
    assert judged.reason is None
    assert (judged.email.email, judged.email.corrected_from) == (
        "admin@example.org", "admin@@example.org")


def test_a_remote_opt_out_is_kept_as_remote_unsubscribed():
    """Seed 001: Allow Email false -> brought over, set as "Unsubscribed from remote system"."""
    judged = judge(R("1", "ann@example.org", "A", remote_opt_out=True), POLICY,
                   check_email("ann@example.org"))
    assert judged.reason is X.REMOTE_UNSUBSCRIBED and judged.keeps_subscriber
    assert X.REMOTE_UNSUBSCRIBED.label == "Unsubscribed from remote system"


def test_a_deactivated_contact_is_excluded():
    """Seed 002: a contact deactivated in iDSS is removed from the target group."""
    assert reason(R("1", "ann@example.org", None, deactivated=True), SyncPolicy(None)) is (
        X.DEACTIVATED)


def test_an_ams_without_statuses_accepts_every_status():
    assert reason(R("1", "ann@example.org", None), SyncPolicy(None)) is None


def test_exactly_one_reason_the_first_that_applies():
    """Every record gets at most one reason: the first rule that fails, in a fixed order."""
    assert reason(R(None, "bad", "S", deactivated=True)) is X.DEACTIVATED
    assert reason(R(None, "bad", "S")) is X.NO_AMS_ID
    assert reason(R("1", "bad", "S")) is X.STATUS_NOT_ACCEPTED
    assert reason(R("1", "bad", "A", remote_opt_out=True)) is X.INVALID_EMAIL


@pytest.mark.parametrize(("status", "expected"), [
    ("unsubscribed", X.UNSUBSCRIBED), ("opted_out", X.OPTED_OUT), ("bad_email", X.BAD_EMAIL),
    ("active", None), ("remote_unsubscribed", None), (None, None),
])
def test_a_global_unsubscribe_in_the_mirror_keeps_the_subscriber_out(status, expected):
    """Seed 000: records "not unsubscribed or opted-out"; an unsubscribe is global. A remote
    unsubscribe is re-decided by each sync from the AMS's flag (seed 001)."""
    assert mirror_reason(status) is expected


def test_email_source_name_or_preferred_address_of_a_purpose():
    """Seed 000: "Informz syncs on Name.Email or Name_Address.Email+Purpose and Preferred
    status from iMIS"."""
    addresses = [AddressEmail("Home", "home@example.org", True),
                 AddressEmail("Work", "old@example.org", False),
                 AddressEmail("work", "work@example.org", True)]
    assert EmailSource.parse("name").pick("name@example.org", addresses) == "name@example.org"
    assert EmailSource.parse("address:Work").pick("n@example.org", addresses) == (
        "work@example.org")
    assert EmailSource.parse("address:Other").pick("n@example.org", addresses) is None
    assert str(EmailSource.parse("address:Work")) == "address:Work"
    with pytest.raises(ValueError, match="use 'name' or 'address:PURPOSE'"):
        EmailSource.parse("phone")
