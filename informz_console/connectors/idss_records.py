"""Reading iDSS JSON: distribution lists as RemoteGroups, contacts as RemoteRecords, change-feed
entries as IdssChanges. Every shape problem is a RemoteDataError naming what was missing.

A contact becomes `RemoteRecord(ams_id=str(id), email as stored, status=None, names, company,
fields={"informz_code": code} when iDSS has one, deactivated=not active)`. Emails are passed on
exactly as iDSS holds them: cleaning, validating and spotting duplicates is the sync's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from informz_console.connectors.errors import RemoteDataError
from informz_console.domain.records import GroupKind, RemoteGroup, RemoteRecord

INFORMZ_CODE = "informz_code"


class IdssChangeKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"  # an email, name or company changed, or the contact was reactivated
    DEACTIVATED = "deactivated"  # seed 002: leaves every target group
    LIST_ADDED = "list_added"
    LIST_REMOVED = "list_removed"


@dataclass(frozen=True, slots=True)
class IdssChange:
    """One entry of the iDSS change feed.

    `contact` is the contact's state when the feed was read (not when the change happened);
    `list_ids` are the lists added or removed for LIST_ADDED / LIST_REMOVED, otherwise the
    contact's lists at the time of the change; `old_email` is set when an UPDATED changed the
    email (DOMAIN, iDSS: "Changing a contact's email creates a new subscriber")."""

    seq: int
    contact: RemoteRecord
    list_ids: tuple[str, ...]
    kind: IdssChangeKind
    old_email: str | None = None
    changed_at: datetime | None = None


def parse_time(value: object) -> datetime | None:
    """ISO-8601 from iDSS (`2025-06-30T12:00:00Z`) as an aware UTC datetime; None if unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


_TEXT = frozenset((str, type(None)))
_IDS = frozenset((int, str))


def to_record(contact: dict) -> RemoteRecord:
    """KeyError / TypeError on a malformed contact (the caller names the answer). Values that
    should be text and are not (a number, a list) are read as missing."""
    get = contact.get
    contact_id = contact["id"]
    active = contact["active"]
    if type(contact_id) not in _IDS or type(active) is not bool:
        raise TypeError("contact id or active flag")
    email, first, last = get("email"), get("first_name"), get("last_name")
    company, code = get("company"), get("informz_code")
    # one cheap check for the usual case; a call per field only for odd answers
    if not (type(email) in _TEXT and type(first) in _TEXT and type(last) in _TEXT
            and type(company) in _TEXT and type(code) in _TEXT):  # fmt: skip
        email, first, last, company, code = map(_text, (email, first, last, company, code))
    # positional: a frozen dataclass's keyword call costs half again as much, per contact
    return RemoteRecord(
        str(contact_id),
        email,
        None,
        first,
        last,
        company,
        {INFORMZ_CODE: code} if code else {},
        False,
        not active,
    )


def to_group(item: dict) -> RemoteGroup:
    count = item.get("contact_count")
    detail = {"contact_count": str(count)} if isinstance(count, int) else {}
    return RemoteGroup(
        remote_key=str(item["id"]),
        name=str(item["name"]),
        folder=item.get("folder") or "",
        kind=GroupKind.INTEREST,  # seed 002: lists become interest-based target groups
        created_at=parse_time(item.get("created")),
        modified_at=parse_time(item.get("modified")),
        detail=detail,
    )


def to_change(item: dict) -> IdssChange:
    contact = item.get("contact")
    if isinstance(contact, dict):
        record = to_record(contact)
    else:  # the contact is gone from iDSS: only its id is known
        record = RemoteRecord(str(item["contact_id"]), None)
    old_email = item.get("old_email")
    return IdssChange(
        seq=int(item["seq"]),
        contact=record,
        list_ids=tuple(str(i) for i in item["list_ids"]),
        kind=IdssChangeKind(item["kind"]),
        old_email=old_email if isinstance(old_email, str) else None,
        changed_at=parse_time(item.get("changed")),
    )


@dataclass(frozen=True)
class ContactsPage:
    total: int | None
    records: list[RemoteRecord]
    next_cursor: str | None


def parse_contacts_page(data: dict, site: str, list_id: str) -> ContactsPage:
    try:
        records = [to_record(c) for c in data["contacts"]]
        cursor = data.get("next_cursor")
        total = data.get("total")
        if cursor is not None and not isinstance(cursor, str):
            raise TypeError("cursor")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise RemoteDataError(
            f"iDSS at {site} answered the contacts of distribution list {list_id} without the "
            f"expected fields (contacts with id, email and active; next_cursor)."
        ) from None
    return ContactsPage(total if isinstance(total, int) else None, records, cursor or None)


@dataclass(frozen=True)
class ChangesPage:
    changes: list[IdssChange]
    next_since: int
    latest_seq: int
    has_more: bool


def parse_changes_page(data: dict, site: str) -> ChangesPage:
    try:
        changes = [to_change(item) for item in data["changes"]]
        next_since = int(data["next_since"])
        latest = int(data["latest_seq"])
        has_more = bool(data.get("has_more", next_since < latest))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise RemoteDataError(
            f"iDSS at {site} answered the change feed without the expected fields (changes with "
            f"seq, kind, contact and list_ids; next_since; latest_seq)."
        ) from None
    return ChangesPage(changes, next_since, latest, has_more)
