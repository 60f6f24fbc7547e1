"""The PDS entity sets the sandbox serves, and how one row becomes OData v2 verbose JSON.

Entity sets (DOMAIN.md, Personify360 — ours where nothing public says):
- `MarketingLists` (ListCode) over MarketingList;
- `MarketingListMembers` (ListCode, MasterCustomerId, SubCustomerId) over MarketingListMember,
  with the navigation property `CustomerInfo` (`$expand=CustomerInfo` joins the customer into
  each member row: one paged request per page of members);
- `CustomerInfos` (MasterCustomerId, SubCustomerId) over Customer;
- `PersonalizationFields` (Name) over PersonalizationField;
- `CustomerCommunicationUpdates` (ActivityId) over CustomerCommunicationUpdate (POST = writeback).

Values as WCF Data Services writes them in JSON verbose: Edm.DateTime as "\\/Date(ms)\\/" (UTC),
Edm.Boolean as true/false, every entity with `__metadata` {uri, type}, an unexpanded navigation
property as `{"__deferred": {"uri": ...}}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _text  # type: ignore[attr-defined]
from typing import Any

NAMESPACE = "PersonifyDataModel"
SERVICE_PATH = "/PersonifyDataServices/PersonifyData.svc"


@dataclass(frozen=True)
class Navigation:
    name: str
    target: str  # entity set name
    on: tuple[tuple[str, str], ...]  # (local property, target property)


@dataclass(frozen=True)
class EntitySet:
    name: str
    type_name: str
    table: str
    keys: tuple[str, ...]
    properties: dict[str, str]  # property -> Edm type, in output order
    navigation: dict[str, Navigation] = field(default_factory=dict)
    writable: bool = False

    @property
    def full_type(self) -> str:
        return f"{NAMESPACE}.{self.type_name}"

    def is_boolean(self, name: str) -> bool:
        return self.properties.get(name) == "Edm.Boolean"


_S, _I, _B, _D = "Edm.String", "Edm.Int32", "Edm.Boolean", "Edm.DateTime"

CUSTOMER_PROPERTIES = {
    "MasterCustomerId": _S, "SubCustomerId": _I, "RecordType": _S, "FirstName": _S,
    "LastName": _S, "LabelName": _S, "CompanyName": _S, "PrimaryEmailAddress": _S,
    "AllowEmail": _B, "AllowSolicitation": _B, "DoNotSolicitByEmail": _B, "BadEmailFlag": _B,
    "CustomerStatusCode": _S, "CustomerClassCode": _S, "City": _S, "State": _S,
    "JoinDate": _D, "ModifiedOn": _D,
}  # fmt: skip

ENTITY_SETS: dict[str, EntitySet] = {
    s.name: s
    for s in (
        EntitySet(
            "MarketingLists", "MarketingList", "MarketingList", ("ListCode",),
            {"ListCode": _S, "Description": _S, "RegenerationFrequency": _S,
             "LastRegeneratedOn": _D, "ModifiedOn": _D, "CreatedOn": _D},
        ),
        EntitySet(
            "MarketingListMembers", "MarketingListMember", "MarketingListMember",
            ("ListCode", "MasterCustomerId", "SubCustomerId"),
            {"ListCode": _S, "MasterCustomerId": _S, "SubCustomerId": _I},
            {"CustomerInfo": Navigation("CustomerInfo", "CustomerInfos",
                                        (("MasterCustomerId", "MasterCustomerId"),
                                         ("SubCustomerId", "SubCustomerId")))},
        ),
        EntitySet("CustomerInfos", "CustomerInfo", "Customer",
                  ("MasterCustomerId", "SubCustomerId"), CUSTOMER_PROPERTIES),
        EntitySet("PersonalizationFields", "PersonalizationField", "PersonalizationField",
                  ("Name",), {"Name": _S, "Type": _S}),
        EntitySet(
            "CustomerCommunicationUpdates", "CustomerCommunicationUpdate",
            "CustomerCommunicationUpdate", ("ActivityId",),
            {"ActivityId": _I, "MasterCustomerId": _S, "SubCustomerId": _I, "Action": _S,
             "Reason": _S, "Date": _D, "ReceivedOn": _D},
            writable=True,
        ),
    )
}  # fmt: skip


@lru_cache(maxsize=65536)
def odata_date(stored: str | None) -> str | None:
    """Stored UTC text ('2025-01-31 12:00:00') -> '/Date(1738324800000)/'."""
    if stored is None or stored == "":
        return None
    value = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return f"/Date({int(value.timestamp() * 1000)})/"


def key_literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def key_predicate(entity: EntitySet, values: tuple) -> str:
    if len(entity.keys) == 1:
        return f"({key_literal(values[0])})"
    pairs = zip(entity.keys, values, strict=True)
    return "(" + ",".join(f"{k}={key_literal(v)}" for k, v in pairs) + ")"


@lru_cache(maxsize=65536)
def _json_date(stored: str) -> str:
    """Stored UTC text -> the JSON WCF writes: "\\/Date(1738324800000)\\/"."""
    text = odata_date(stored)
    return "null" if text is None else '"' + text.replace("/", "\\/") + '"'


def _json_bool(value: object) -> str:
    return "true" if value else "false"


def _json_int(value: object) -> str:
    return str(int(value))  # type: ignore[call-overload]


def _json_writer(edm: str) -> Callable[[Any], str]:
    if edm == _B:
        return _json_bool
    if edm == _D:
        return _json_date
    if edm == _I:
        return _json_int
    return lambda value: _text(str(value))


class RowWriter:
    """Turns rows of `columns()` (keys first, then the selected properties) into entity JSON.

    The JSON is written from pre-encoded fragments (`"Name":` and a per-type value writer): the
    verbose payload of a real PDS without json.dumps walking a thousand nested dicts a page."""

    def __init__(self, entity: EntitySet, service_url: str, selected: list[str]) -> None:
        self.entity = entity
        self.prefix = f"{service_url}/{entity.name}"
        self.meta_tail = '","type":' + _text(entity.full_type) + "}"
        self.selected = selected
        self.key_count = len(entity.keys)
        self.writers = [
            (n, "," + _text(name) + ":", _json_writer(entity.properties[name]))
            for n, name in enumerate(selected, start=self.key_count)
        ]

    def columns(self) -> list[str]:
        """Keys first (for the URI and the skip token), then the selected properties."""
        return [*self.entity.keys, *self.selected]

    def width(self) -> int:
        return self.key_count + len(self.selected)

    def uri(self, row: tuple, offset: int = 0) -> str:
        return self.prefix + key_predicate(self.entity, row[offset : offset + self.key_count])

    def entity_json(self, row: tuple, offset: int = 0, extra: str = "") -> tuple[str, str]:
        """(the entity's JSON object, its URI); `extra` is more `,"Name":value` text."""
        uri = self.uri(row, offset)
        parts = ['{"__metadata":{"uri":', _text(uri)[:-1], self.meta_tail]
        for n, label, write in self.writers:
            value = row[offset + n]
            parts.append(label)
            parts.append("null" if value is None else write(value))
        parts.append(extra)
        parts.append("}")
        return "".join(parts), uri
