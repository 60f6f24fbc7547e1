"""The JSON iMIS wraps IQA results in: a PagedResult whose Items are GenericEntityData rows,
each with Properties as Name/Value pairs, every object tagged with its .NET "$type"."""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]

_CONTRACTS = "Asi.Contracts"
PAGED_TYPE = f"Asi.Soa.Core.DataContracts.PagedResult, {_CONTRACTS}"
ITEMS_TYPE = f"Asi.Soa.Core.DataContracts.GenericEntityDataCollection, {_CONTRACTS}"
ITEM_TYPE = f"Asi.Soa.Core.DataContracts.GenericEntityData, {_CONTRACTS}"
PROPS_TYPE = f"Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, {_CONTRACTS}"
PROP_TYPE = f"Asi.Soa.Core.DataContracts.GenericPropertyData, {_CONTRACTS}"


def _prop(name: str) -> str:
    return f'{{"$type": "{PROP_TYPE}", "Name": "{name}", "Value": '


# The envelope is written from pre-encoded fragments: the real payload's verbosity (a "$type" on
# every item and property) without json.dumps walking 2,000 small dicts per page.
_ITEM_HEAD = f'{{"$type": "{ITEM_TYPE}", "EntityTypeName": '
_ITEM_PROPS = f', "Properties": {{"$type": "{PROPS_TYPE}", "$values": ['
_PROP_ROW, _PROP_ID, _PROP_NAME, _PROP_STATUS = map(
    _prop, ("ResultRow", "ID", "FullName", "Status")
)


def envelope(query: str, total: int, rows: list[tuple], *, offset: int, limit: int) -> bytes:
    text = encode_basestring_ascii
    head = _ITEM_HEAD + text(query) + _ITEM_PROPS
    items = ", ".join(
        f"{head}{_PROP_ROW}{text(str(offset + n + 1))}}}, {_PROP_ID}{text(member_id)}}}, "
        f"{_PROP_NAME}{text(f'{first} {last}'.strip())}}}, "
        f"{_PROP_STATUS}{text(status or '')}}}]}}}}"
        for n, (member_id, first, last, status) in enumerate(rows)
    )
    count = len(rows)
    tail = {
        "Offset": offset,
        "Limit": limit,
        "Count": count,
        "TotalCount": total,
        "NextPageLink": None,
        "HasNext": offset + count < total,
        "NextOffset": offset + count,
    }
    body = (
        f'{{"$type": "{PAGED_TYPE}", "Items": {{"$type": "{ITEMS_TYPE}", "$values": [{items}]}}, '
        + json.dumps(tail)[1:]
    )
    return body.encode("ascii")
