"""Odd data from an AMS (issue 6, "Bad input: Data"): unicode emails, 300-character fields and
NULLs where the AMS should have a value. Each fetched record ends up either a member of the
group or excluded with exactly one reason, and the run's counts add up.

The email rules (domain/emails.py, seed 000 "valid email addresses"): validity is
email-validator's, which accepts internationalized addresses (a unicode local part, an IDN
domain); the address is stored normalized (an IDN in Punycode becomes its unicode form) and two
addresses that differ only in case are one subscriber (the key is the lower-cased address).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from mirror_helpers import add_bridge, rows
from static_connector import StaticAms, StaticConnector

from informz_console.domain.exclusions import ExclusionReason as X
from informz_console.domain.records import RemoteRecord as R
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

LONG = 300
RECORDS = [  # (record, the reason it is excluded, or None for a member)
    (R("1", "josé@example.org", "A"), None),
    (R("2", "JOSÉ@Example.ORG", "A"), X.DUPLICATE_EMAIL),  # josé@example.org, another case
    (R("3", "anna@bücher.de", "A"), None),
    (R("4", "Anna@xn--bcher-kva.de", "A"), X.DUPLICATE_EMAIL),  # the same address in Punycode
    (R("5", "用户@例子.广告", "A"), None),  # unicode local part and domain
    (R("6", "a" * LONG + "@example.org", "A"), X.INVALID_EMAIL),  # longer than 254
    (R("7", "x" * 500, "A"), X.INVALID_EMAIL),
    (R("8", "long.names@example.org", "A", "F" * LONG, "L" * LONG, "C" * LONG,
       {"NOTE": "N" * LONG}), None),
    (R("9" * LONG, "long.id@example.org", "A"), X.NO_AMS_ID),  # no id the mirror can hold
    (R(None, "no.id@example.org", "A"), X.NO_AMS_ID),
    (R("   ", "blank.id@example.org", "A"), X.NO_AMS_ID),
    (R("12", None, "A"), X.MISSING_EMAIL),
    (R("13", "   ", "A"), X.MISSING_EMAIL),
    (R("14", "no.status@example.org", None), X.STATUS_NOT_ACCEPTED),
    (R("15", "tab\there@example.org", "A"), X.INVALID_EMAIL),
    (R("16", "zero\x00byte@example.org", "A"), X.INVALID_EMAIL),
    (R(None, None, None), X.NO_AMS_ID),  # nothing at all
]


@pytest.fixture
def service(mirror, credentials, clock) -> SyncService:
    add_bridge(mirror, clock, groups=("G",))
    credentials.set("bridge:imis:iMIS", "pw")
    ams = StaticAms(groups={"G": [record for record, _ in RECORDS]}, page_size=5)
    return SyncService(mirror, credentials, clock,
                       connector_for=lambda bridge, creds: StaticConnector(ams))


def test_each_odd_record_is_a_member_or_excluded_with_one_reason(service, mirror):
    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G"))
    assert result.ok, result.error
    c = result.counts
    members = {a for (a,) in rows(
        mirror, "SELECT l.ams_id FROM membership m JOIN subscriber_link l "
                "ON l.subscriber_id = m.subscriber_id")}
    excluded = rows(mirror, "SELECT ams_id, reason FROM exclusion WHERE run_id = :r",
                    r=result.run_id)
    assert c.fetched == len(RECORDS) == c.members_after + c.excluded
    assert members == {r.ams_id for r, why in RECORDS if why is None}
    assert len(excluded) == c.excluded
    assert Counter(reason for _, reason in excluded) == Counter(
        why.value for _, why in RECORDS if why is not None)
    identified = [a for a, _ in excluded if a]
    assert len(identified) == len(set(identified))  # one reason per record
    assert not members & set(identified)


def test_unicode_addresses_are_stored_as_the_email_rules_normalize_them(service, mirror):
    assert service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G")).ok
    emails = {e for (e,) in rows(mirror, "SELECT email FROM subscriber")}
    assert {"josé@example.org", "anna@bücher.de", "用户@例子.广告"} <= emails
    assert len(emails) == len({e.lower() for e in emails})  # one subscriber per address


def test_long_names_are_kept_as_far_as_the_mirror_holds_them(service, mirror):
    """A 300-character name is a member's name all the same: it is kept up to the mirror's
    column (first and last name 200, company 300), never failing the run."""
    assert service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G")).ok
    ((first, last, company, fields),) = rows(
        mirror, "SELECT first_name, last_name, company, fields FROM subscriber "
                "WHERE email = 'long.names@example.org'")
    assert (first, last, company) == ("F" * 200, "L" * 200, "C" * 300)
    assert "N" * LONG in str(fields)
    again = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G"))
    assert again.ok and again.counts.updated == 0  # nothing changes the second time


def test_text_no_database_can_store_is_kept_as_far_as_it_can_be(mirror, credentials, clock):
    """A lone surrogate (half of a UTF-16 pair: a JSON escape can carry one) and a NUL in a
    record's text: neither SQLite's nor PostgreSQL's driver can store the first, PostgreSQL
    not the second. The run goes on; the mirror keeps U+FFFD in the half's place, drops the NUL,
    and a character beyond the BMP (an escaped pair in the fields' JSON) stays as it is."""
    add_bridge(mirror, clock, groups=("G",))
    credentials.set("bridge:imis:iMIS", "pw")
    ams = StaticAms(groups={"G": [
        R("1", "ann@example.org", "A", "Ann\ud800e", "Le\x00e", "Acme \udfff",
          {"NOTE": "half \udc00 here", "MOOD": "\U0001f600", "NUL": "a\x00b"}),
        R("2", "bad\ud800@example.org", "A"),
        R("3", "emoji@example.org", "A", fields={"MOOD": "\U0001f600"}),
    ]})  # fmt: skip
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda bridge, creds: StaticConnector(ams))
    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G"))
    assert result.ok, result.error
    assert (result.counts.added, result.counts.excluded) == (2, 1)
    ((first, last, company, fields),) = rows(
        mirror, "SELECT first_name, last_name, company, fields FROM subscriber "
                "WHERE email = 'ann@example.org'")
    assert (first, last, company) == ("Ann\ufffde", "Lee", "Acme \ufffd")
    assert json.loads(fields) == {"NOTE": "half \ufffd here", "MOOD": "\U0001f600", "NUL": "a\x00b"}
    ((emoji,),) = rows(mirror, "SELECT fields FROM subscriber WHERE email = 'emoji@example.org'")
    assert json.loads(emoji) == {"MOOD": "\U0001f600"}
    assert rows(mirror, "SELECT ams_id, email, reason FROM exclusion") == [
        ("2", "bad\ufffd@example.org", X.INVALID_EMAIL.value)]
    again = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G"))
    assert again.ok and (again.counts.added, again.counts.updated) == (0, 0)
