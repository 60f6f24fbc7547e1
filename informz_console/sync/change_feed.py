"""Apply an AMS change feed (iDSS, seed 002: "Changes made in iDSS update automatically in
Informz"): each change lands in the distribution lists it names, as one small run per list
that touches only the contacts the changes carry.

- created / updated / deactivated: the contact is judged afresh in each of its lists (a
  deactivated one leaves them; a changed email lands on a new subscriber);
- list_added: the contact joins that list if it may be synced;
- list_removed: the contact leaves that list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from informz_console.domain.records import RemoteRecord

LIST_REMOVED = "list_removed"


@dataclass
class ListChanges:
    """What a batch of changes does to one list: the records to judge, and who leaves."""

    records: dict[str, RemoteRecord] = field(default_factory=dict)  # contact id -> newest
    leaving: set[str] = field(default_factory=set)


def by_list(changes: Iterable) -> dict[str, ListChanges]:  # Iterable[IdssChange]
    """Changes in feed order -> per list id; a later change of a contact replaces an earlier."""
    lists: dict[str, ListChanges] = defaultdict(ListChanges)
    for change in changes:
        contact: RemoteRecord = change.contact
        for list_id in change.list_ids:
            entry = lists[str(list_id)]
            entry.records[contact.ams_id] = contact
            if change.kind == LIST_REMOVED:
                entry.leaving.add(contact.ams_id)
            else:
                entry.leaving.discard(contact.ams_id)
    return dict(lists)
