"""Personify entities into what the sync reads: CustomerInfo -> RemoteRecord, MarketingList ->
RemoteGroup, OData dates -> UTC datetimes.

A customer (seed 001, "Email Permissions in Customer Records"):
- `ams_id` is "MasterCustomerId-SubCustomerId", e.g. "000000123456-0";
- `email` is PrimaryEmailAddress exactly as Personify holds it (the rules clean and validate);
- `status` is CustomerStatusCode; first/last name; `company` is CompanyName;
- `remote_opt_out` is true unless email is allowed: AllowEmail and AllowSolicitation both true
  ("The Allow Solicitation flag will also control the Allow Email flag": Allow Solicitation =
  false forces Allow Email = false, whatever the stored Allow Email says) and Do Not Solicit by
  Email not set (what an unsubscribe from the platform writes back). A flag that is missing or
  null counts as "not allowed": never mail someone whose permission cannot be read. Such a
  customer is still brought over; the sync marks them "Unsubscribed from remote system".
- `fields`: every other scalar CustomerInfo property the server sent (text as is, booleans
  "true"/"false", dates ISO 8601), for personalization and for explaining a record; ModifiedOn
  (bookkeeping) and nulls are left out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from informz_console.domain.freshness import is_stale
from informz_console.domain.records import GroupKind, RemoteGroup, RemoteRecord

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_CORE = frozenset(
    {
        "__metadata", "MasterCustomerId", "SubCustomerId", "PrimaryEmailAddress",
        "CustomerStatusCode", "FirstName", "LastName", "CompanyName", "ModifiedOn",
    }
)  # fmt: skip
_TRUE = frozenset({"true", "t", "y", "yes", "1"})


@lru_cache(maxsize=65536)
def parse_date(value: str) -> datetime | None:
    """'/Date(1738324800000)/' (OData v2 JSON) or ISO 8601 -> aware UTC; None if unreadable."""
    match = _MS_DATE.match(value.strip())
    try:
        if match:
            return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def odata_date(value: object) -> datetime | None:
    return parse_date(value) if isinstance(value, str) and value else None


def date_text(value: datetime) -> str:
    """'/Date(ms)/' for a JSON body."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return f"/Date({int(aware.timestamp() * 1000)})/"


@lru_cache(maxsize=65536)
def _field_date(value: str) -> str:
    when = parse_date(value)
    if when is None:
        return value
    if (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0):
        return when.date().isoformat()
    return when.isoformat()


def flag(value: object) -> bool | None:
    """An Edm.Boolean as PDS may send it (true/false, 1/0, "Y"/"N"); None when absent."""
    if value is True or value is False or value is None:  # nearly every value: no isinstance
        return value
    if isinstance(value, int):
        return bool(value)
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return None


def email_allowed(info: dict) -> bool:
    """Seed 001: Allow Email, forced false by Allow Solicitation = false; and not Do Not
    Solicit by Email. Missing flags count as not allowed (DoNotSolicitByEmail: as not set)."""
    return (
        flag(info.get("AllowEmail")) is True
        and flag(info.get("AllowSolicitation")) is True
        and flag(info.get("DoNotSolicitByEmail")) is not True
    )


def ams_id(master: object, sub: object) -> str | None:
    if master is None or str(master).strip() == "":
        return None
    return f"{str(master).strip()}-{0 if sub is None else sub}"


def to_record(info: dict) -> RemoteRecord:
    # Tested by type, most common first, and built positionally: a million of these run in a
    # Personify resync's fetch process (7.4 -> 4.0 us a customer of the sandbox's).
    fields: dict[str, str] = {}
    for name, value in info.items():
        kind = type(value)
        if kind is str:
            if name not in _CORE:
                fields[name] = _field_date(value) if value.startswith("/Date(") else value
        elif kind is bool:
            if name not in _CORE:
                fields[name] = "true" if value else "false"
        elif value is not None and kind is not dict and kind is not list and name not in _CORE:
            fields[name] = str(value)
    get = info.get
    return RemoteRecord(  # ams_id, email, status, first name, last name, company, ...
        ams_id(get("MasterCustomerId"), get("SubCustomerId")), get("PrimaryEmailAddress"),
        get("CustomerStatusCode"), get("FirstName"), get("LastName"), get("CompanyName"),
        fields, not email_allowed(info),
    )


def entity_row(info: dict) -> tuple[str | None, dict]:
    """A customer as a resync compares it with its last sync (sync/member_rows): its AMS id
    and the entity as sent, less `__metadata` (its URI names the server's host, which is not
    the customer). Digesting this instead of the record skips `to_record` for the customers
    that did not change: at the sandbox's pages 5.8 -> 2.7 us a customer, split included."""
    info.pop("__metadata", None)
    return ams_id(info.get("MasterCustomerId"), info.get("SubCustomerId")), info


def row_record(row: tuple[str | None, dict]) -> RemoteRecord:
    return to_record(row[1])


def to_group(entity: dict, now: datetime) -> RemoteGroup:
    """A MarketingList as a target group; `detail` says how fresh its members are (seed 001:
    "Data pulled into Informz will be up to date as of the last list refresh")."""
    code = str(entity.get("ListCode") or "").strip()
    frequency = entity.get("RegenerationFrequency")
    frequency = frequency.strip() if isinstance(frequency, str) else None
    regenerated = odata_date(entity.get("LastRegeneratedOn"))
    return RemoteGroup(
        remote_key=code,
        name=str(entity.get("Description") or code).strip(),
        folder="",
        kind=GroupKind.QUERY,
        created_at=odata_date(entity.get("CreatedOn")),
        modified_at=odata_date(entity.get("ModifiedOn")),
        detail={
            "regeneration_frequency": frequency or "",
            "last_regenerated_on": regenerated.isoformat() if regenerated else "",
            "stale": "yes" if is_stale(frequency, regenerated, now) else "no",
        },
    )
