"""Bad bridge settings (issue 6, "Bad input: Config").

- A malformed URL, an absurd page size or timeout, a malformed email source or remote interest:
  `save_bridge` refuses it with one sentence naming the setting, and nothing is saved.
- A name that points at nothing in the AMS (a UD table, a remote interest) is refused with one
  sentence when the bridge is used, naming the setting to fix.
- Quotes and semicolons in any name from configuration (table, field, email source purpose,
  status code, bridge name) are data, never SQL: the AMS database and the mirror keep every
  table and row (no injection through an identifier or a value).
"""

from __future__ import annotations

from typing import Any

import pytest
from fault_helpers import KINDS, AmsBridge, assert_one_sentence
from mirror_helpers import rows, snapshot
from sqlalchemy import inspect

from informz_console.connectors.errors import ConfigError
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.bridges import test_bridge as check_bridge
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

GOOD: dict[str, dict[str, Any]] = {  # settings each AMS accepts (nothing is contacted)
    "imis": {"connection_string": "Driver=SQLite3;Database=/srv/imis.db;",
             "site_url": "https://imis.example.org", "username": "informz_sync"},
    "personify": {"site_url": "https://personify.example.org", "username": "informz_pds"},
    "netforum": {"site_url": "https://netforum.example.org", "username": "informz_xweb"},
    "idss": {"site_url": "https://idss.example.org"},
}
INJECTION = "x'; DROP TABLE subscriber;--"

BAD_EVERYWHERE = [  # (setting, value, what the sentence names)
    ("site_url", "not a web address", "URL"),
    ("site_url", "ftp://files.example.org", "URL"),
    ("site_url", "http://", "URL"),
    ("site_url", f"https://{INJECTION}", "URL"),
    ("page_size", 0, "page size"),
    ("page_size", -1, "page size"),
    ("page_size", 10**9, "page size"),
    ("page_size", "fifty", "page size"),
    ("page_size", 2.5, "page size"),
    ("timeout_s", 0, "timeout"),
    ("timeout_s", -1, "timeout"),
    ("timeout_s", 10**9, "timeout"),
]
BAD_SPEC = [  # (spec field or iMIS setting, value, what the sentence names)
    ("email_source", "address:", "Email source"),
    ("email_source", "phone:Work", "Email source"),
    ("accepted_statuses", " , ", "Accepted statuses"),
    ("remote_interests", ["NoFieldHere"], "remote interest"),
    ("connection_string", "Driver=SQLite3;Database=x.db;PWD=pw;", "must not contain a password"),
]


def bridge_rows(mirror) -> list[tuple]:
    return rows(mirror, "SELECT * FROM bridge ORDER BY id")


def refused(mirror, clock, kind: str, name: str = "Bad", **changes: Any) -> str:
    """The sentence `save_bridge` refuses these settings with; checks nothing was saved."""
    spec_fields = {k: changes.pop(k) for k in ("email_source", "accepted_statuses")
                   if k in changes}
    before = bridge_rows(mirror)
    spec = BridgeSpec(kind, name, {**GOOD[kind], **changes}, **spec_fields)
    with pytest.raises(ConfigError) as caught:
        save_bridge(mirror, spec, clock)
    assert bridge_rows(mirror) == before
    return str(caught.value)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("setting", "value", "named"), BAD_EVERYWHERE)
def test_a_bad_setting_is_one_sentence_and_nothing_is_saved(mirror, clock, kind, setting,
                                                            value, named):
    save_bridge(mirror, BridgeSpec(kind, "Good", GOOD[kind]), clock)  # one that stays as it is
    sentence = refused(mirror, clock, kind, "Good", **{setting: value})
    assert_one_sentence(sentence, named)


@pytest.mark.parametrize(("setting", "value", "named"), BAD_SPEC)
def test_a_bad_imis_source_status_or_interest_is_one_sentence(mirror, clock, setting, value,
                                                              named):
    assert_one_sentence(refused(mirror, clock, "imis", **{setting: value}), named)


def test_an_unknown_bridge_kind_is_one_sentence(mirror, clock):
    before = bridge_rows(mirror)
    with pytest.raises(ConfigError) as caught:
        save_bridge(mirror, BridgeSpec("salesforce", "S", {}), clock)
    assert_one_sentence(str(caught.value), "salesforce", "imis")
    assert bridge_rows(mirror) == before


# -- names the AMS does not have, and names built to break SQL --------------------------------


@pytest.fixture
def imis(tmp_path, mirror, credentials, clock):
    bridge = AmsBridge.start("imis", tmp_path / "imis", mirror, credentials, clock)
    try:
        assert bridge.refresh().ok
        yield bridge
    finally:
        bridge.stop()


def ams_tables(bridge: AmsBridge) -> list[tuple]:
    """Every table of the iMIS sandbox database with its row count."""
    names = [n for (n,) in bridge.sandbox.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return [(n, bridge.sandbox.execute(f'SELECT COUNT(*) FROM "{n}"')[0][0]) for n in names]


@pytest.mark.parametrize("table", ["UD_Nowhere", 'Informz_Preferences"; DROP TABLE Name;--',
                                   "Informz_Preferences; DELETE FROM Name"])
def test_an_unknown_or_malicious_ud_table_is_named_when_the_bridge_is_tested(
        imis, mirror, credentials, table):
    tables = ams_tables(imis)
    imis.save(ud_table=table)
    with pytest.raises(ConfigError) as caught:
        check_bridge(mirror, imis.name, credentials)
    assert_one_sentence(str(caught.value), repr(table), "UD table setting")
    assert ams_tables(imis) == tables


@pytest.mark.parametrize("interest", ["UD_X.F; DROP TABLE Name",
                                      'Informz_Preferences.NEWSLETTER"; DROP TABLE Name;--',
                                      "Informz_Preferences.NO_SUCH_FIELD"])
def test_an_unknown_or_malicious_remote_interest_fails_the_refresh_in_one_sentence(
        imis, mirror, interest):
    tables = ams_tables(imis)
    imis.save(remote_interests=[interest])
    before = snapshot(mirror)
    result = imis.refresh()
    assert result.status == "failed"
    assert_one_sentence(result.error, repr(interest), "remote interests")
    assert snapshot(mirror) == before
    assert ams_tables(imis) == tables


def test_quotes_and_semicolons_in_names_are_data_not_sql(imis, mirror, credentials, clock):
    """An email source purpose, a status code and a bridge name made to break out of a string
    literal: each is taken as the value it is. Nobody has that purpose or status, so every
    record is excluded; both databases keep every table and row."""
    tables = ams_tables(imis)
    mirror_tables = set(inspect(mirror).get_table_names())
    name = "O'Brien\"; DROP TABLE subscriber;--"
    spec = BridgeSpec("imis", name, imis.settings, email_source="address:Work'); DROP TABLE "
                      "Name;--", accepted_statuses="A'; DROP TABLE Name;--,A\"%_*")
    credentials.set(save_bridge(mirror, spec, clock), imis.sandbox.password)
    service = SyncService(mirror, credentials, clock)
    assert service.run(SyncRequest(name, SyncKind.REFRESH_LIST)).ok
    result = service.run(SyncRequest(name, SyncKind.RESYNC_GROUP, group=imis.group))
    assert result.ok, result.error
    assert result.counts.fetched == result.counts.excluded > 0
    assert result.counts.members_after == 0
    assert ams_tables(imis) == tables
    assert set(inspect(mirror).get_table_names()) == mirror_tables
    assert rows(mirror, "SELECT name, accepted_statuses FROM bridge WHERE name = :n", n=name) == [
        (name, "A'; DROP TABLE NAME;--,A\"%_*")]


@pytest.mark.parametrize("site", ["https://bücher.example.org", "http://[::1]:8080",
                                  "http://127.0.0.1:8080", "https://imis.example.org:8443"])
def test_unusual_but_real_web_addresses_are_accepted(mirror, clock, site):
    for kind in KINDS:
        save_bridge(mirror, BridgeSpec(kind, kind, {**GOOD[kind], "site_url": site}), clock)
    assert len(bridge_rows(mirror)) == len(KINDS)
