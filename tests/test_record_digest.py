"""A record's digest (domain/record_digest): the same values give the same digest whoever holds
them, and any change of a value, a rule or the accepted statuses gives another."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from informz_console.domain.eligibility import SyncPolicy
from informz_console.domain.record_digest import digest_salt, record_digest, split_page
from informz_console.domain.records import RemoteRecord
from informz_console.domain.statuses import AcceptedStatuses

SALT = digest_salt(SyncPolicy(accepted=AcceptedStatuses.parse(["A"])))
text_or_none = st.none() | st.text(max_size=12)
records = st.builds(
    RemoteRecord, text_or_none, text_or_none, text_or_none, text_or_none, text_or_none,
    text_or_none, st.none() | st.dictionaries(st.text(max_size=6), st.text(max_size=6),
                                              max_size=3),
    st.booleans(), st.booleans(),
)


def _copy(value):  # equal values, none of them the same object
    if isinstance(value, str):
        return "".join(list(value))  # a new str object
    if isinstance(value, dict):
        return {_copy(k): _copy(v) for k, v in value.items()}
    return value


@given(records)
def test_the_digest_depends_on_the_values_not_on_which_objects_hold_them(record):
    shared = "Smith"
    aliased = record._replace(first_name=shared, last_name=shared)  # one object, twice
    apart = record._replace(first_name=_copy(shared), last_name=_copy(shared))
    assert record_digest(aliased, SALT) == record_digest(apart, SALT)
    assert record_digest(record, SALT) == record_digest(
        RemoteRecord(*(_copy(v) for v in record)), SALT)


@given(records, st.integers(0, 8), text_or_none)
def test_any_changed_value_changes_the_digest(record, at, value):
    changed = list(record)
    if at == 6:
        changed[6] = {**(record.fields or {}), "NEW_FIELD": value or ""}
    elif at in (7, 8):
        changed[at] = not record[at]
    else:
        changed[at] = value
    if tuple(changed) != tuple(record):
        assert record_digest(RemoteRecord(*changed), SALT) != record_digest(record, SALT)


def test_accepted_statuses_key_the_digest():
    other = digest_salt(SyncPolicy(accepted=AcceptedStatuses.parse(["A", "S"])))
    record = RemoteRecord("1", "a@example.org", "A")
    assert record_digest(record, other) != record_digest(record, SALT)


def test_a_value_marshal_cannot_write_still_has_a_digest():
    from datetime import date

    record = RemoteRecord("1", "a@example.org", fields={"JOINED": date(2026, 1, 2)})
    later = record._replace(fields={"JOINED": date(2026, 1, 3)})
    assert record_digest(record, SALT) != record_digest(later, SALT)


def test_another_process_gives_the_same_digest():
    # The fetch process splits the pages of a large group, the console's process a small one.
    record = RemoteRecord("42", "Pat@Example.org", "A", "Pat", "Pat", None, {"X": "Pat"})
    code = ("from informz_console.domain.record_digest import record_digest;"
            "from informz_console.domain.records import RemoteRecord as R;"
            f"print(record_digest(R{tuple(record)!r}, {SALT!r}))")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert int(there) == record_digest(record, SALT)


def test_a_page_splits_into_changed_and_as_last_synced_keeping_places():
    a, b, c = (RemoteRecord(str(n), f"{n}@example.org", "A") for n in (1, 2, 3))
    known = {"1": record_digest(a, SALT), "3": record_digest(c, SALT) + 1, "2 ": 0}
    split = split_page([a, b, c], known, SALT)
    assert split.same == ["1"] and split.same_at == [0]
    assert [r[0] for r in split.changed] == ["2", "3"] and list(split.changed_at) == [1, 2]
    assert split.digests == [record_digest(b, SALT), record_digest(c, SALT)]
