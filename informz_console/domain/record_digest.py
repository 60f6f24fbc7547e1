"""A record's digest: 64 bits that change whenever the record, the bridge's rules or the
console's rules change, so a resync can tell a record that is exactly as last synced.

The digest is keyed by a salt made of everything the record-level outcome depends on besides
the record: the accepted statuses, the version of these rules and email-validator's. Seen as
the text of its repr, which depends on the values alone, and hashed by BLAKE2b: about 1.8 us a
record, in the process that reads the AMS. Not marshal (1.35 us): it marks an object that has
other references, so the same record gave other bytes in another process; nor pickle, whose
memo likewise follows which values are one object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from hashlib import blake2b
from typing import NamedTuple

import email_validator

from informz_console.domain.eligibility import SyncPolicy
from informz_console.domain.records import MAX_AMS_ID

# Raise when judge(), the email rules or what a synced record keeps change meaning: every
# record is then seen as changed once, and staged whole.
RULES_VERSION = 1


def digest_salt(policy: SyncPolicy) -> bytes:
    accepted = ",".join(policy.accepted.codes()) if policy.accepted is not None else "*"
    text = f"{RULES_VERSION}|{email_validator.__version__}|{accepted}"
    return blake2b(text.encode(), digest_size=16).digest()


def record_digest(record: tuple, salt: bytes) -> int:
    """As a signed 64-bit integer, which both databases store as a plain BIGINT."""
    data = repr(tuple(record)).encode()  # a NamedTuple as a tuple; repr escapes the odd ones
    return int.from_bytes(blake2b(data + salt, digest_size=8).digest(), "big", signed=True)


def staged_id(ams_id: str | None) -> str | None:
    """The id as the mirror holds it: None when blank or too long (then it is never looked
    up, and such records are never taken for one another)."""
    if not ams_id:
        return None
    ams_id = ams_id.strip()
    return ams_id if ams_id and len(ams_id) <= MAX_AMS_ID else None


class Split(NamedTuple):
    """One page split: the records that changed or are new (with their digests), and the ids
    of those as last synced; each with its place in the page, so the fetch's order is kept
    (the first of two records with one id or one email wins)."""

    changed: list[tuple]
    digests: list[int] | None  # None: the run keeps none
    changed_at: Sequence[int]
    same: list[str]
    same_at: list[int]


def whole(records: list[tuple]) -> Split:
    """A page no record of which is passed over (a run that keeps no digests)."""
    return Split(records, None, range(len(records)), [], [])  # type: ignore[arg-type]


def split_page(records: Iterable[tuple], known: Mapping[str, int], salt: bytes) -> Split:
    """A record is a tuple in RemoteRecord's order; its id is its first item."""
    split = Split([], [], [], [], [])
    changed, digests, changed_at, same, same_at = split
    for place, record in enumerate(records):
        digest = record_digest(record, salt)
        ams_id = staged_id(record[0])
        if ams_id is not None and known.get(ams_id) == digest:
            same.append(ams_id)
            same_at.append(place)
        else:
            changed.append(record)
            digests.append(digest)
            changed_at.append(place)
    return split
