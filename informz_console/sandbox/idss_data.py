"""A deterministic iDSS population with the mess real contact databases have.

`generate(path, members, seed)` writes a fresh sandbox database: the same seed gives the same
contacts, lists, memberships and change feed (no date depends on the clock). One pass, one
transaction, `executemany` in batches: a million contacts take seconds.

The mess, per contact (approximate rates, asserted loosely by the tests):
- deactivated (`active` = 0) 6%;
- email missing 4% ('' mostly, NULL sometimes); invalid 2% (no '@', a space inside, a bad domain);
  fixable 1.5% ('x@@y.org', surrounding spaces, a trailing dot); shared with an earlier contact
  2% (half of those in a different case: seed 002 "Duplicate"); the rest clean and unique;
- unicode names 0.5%; a company for 70%;
- `informz_code` NULL for everyone: the platform writes it back after a sync (seed 002).

Six distribution lists (ids 1..6, `LISTS`), one with everyone; memberships are drawn per contact.
The change feed starts with some history: a 'created' entry for the newest 1% of contacts and a
'deactivated' entry for every deactivated contact, in contact order.

Contact ids are integers from 500001 with gaps.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from informz_console.sandbox.bulk import bulk_load, prefetched
from informz_console.sandbox.idss_schema import create_indexes_and_triggers, create_tables
from informz_console.sandbox.imis_people import (
    COMPANIES,
    FIRST,
    LAST,
    PERSONAL_DOMAINS,
    UNICODE_FIRST,
    UNICODE_LAST,
)
from informz_console.sandbox.people import EmailMess, EmailRates, Names, day_index, day_list, draw

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2025, 6, 30)  # the population's "today": no generated value depends on the clock
FIRST_ID = 500_000
BATCH = 20_000
BOARD_SIZE = 15
# email: missing 4%, invalid 2% (three bad domains, no cut-off TLD), fixable 1.5%, shared 2%
EMAIL = EmailRates(0.03, 0.04, 0.05, 0.055, 0.06, 0.065, 0.072, 0.075, 0.085, 0.095, bad_domains=3)


@dataclass(frozen=True)
class ListSpec:
    id: int
    name: str
    folder: str | None
    share: float  # drawn per contact; the board is sampled instead (share 0)
    created: str


LISTS = (
    ListSpec(1, "All Contacts", None, 1.0, "2015-01-05T09:00:00Z"),
    ListSpec(2, "Members", "Membership", 0.60, "2016-03-14T10:30:00Z"),
    ListSpec(3, "Newsletter", "Communications", 0.45, "2017-09-01T08:15:00Z"),
    ListSpec(4, "Annual Conference 2025", "Events", 0.12, "2024-11-20T16:45:00Z"),
    ListSpec(5, "Volunteers", "Events", 0.04, "2021-05-02T13:00:00Z"),
    ListSpec(6, "Board of Directors", "Governance", 0.0, "2018-01-10T11:20:00Z"),
)
EVERYONE_LIST = 1
BOARD_LIST = 6


@dataclass
class GenerateStats:
    contacts: int = 0
    memberships: int = 0
    changes: int = 0
    deactivated: int = 0
    last_id: int = 0


def stamp(day: date, hour: int = 12, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00Z"


class Population:
    """One pass over the contacts in id order, from one `random.Random(seed)`."""

    def __init__(self, members: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.members = members
        self.board = set(self.rng.sample(range(members), min(BOARD_SIZE, members)))
        self.created_from = members - max(1, members // 100)  # the newest 1% get 'created'
        self.days = day_list(FIRST_DAY, LAST_DAY)
        self.stats = GenerateStats()
        self.names = Names("contact", FIRST, LAST, UNICODE_FIRST, UNICODE_LAST, COMPANIES)
        self._email = EmailMess(EMAIL)
        self.drawn = [spec for spec in LISTS if 0 < spec.share < 1]

    def email(self, local: str, domain: str) -> str | None:
        return self._email(local, domain, self.rng.random)

    def contact(self, i: int, contact_id: int, contacts: list, members: dict, changes: list):
        r = self.rng.random
        first, first_a, last, last_a = self.names.person(r)
        company, domain = ("", "")
        if r() < 0.7:
            company, domain = self.names.company(r)
        if not domain or r() < 0.5:
            domain = draw(PERSONAL_DOMAINS, r)
        email = self.email(f"{first_a}.{last_a}{contact_id}", domain)
        active = r() >= 0.06
        day = day_index(self.days, i, r(), self.members)
        modified = f"{self.days[day]}T{8 + int(r() * 10):02d}:{int(r() * 60):02d}:00Z"
        contacts.append((contact_id, email, first, last, company, 1 if active else 0, modified))

        lists = [EVERYONE_LIST]
        for spec in self.drawn:
            if r() < spec.share:
                lists.append(spec.id)
        if i in self.board:
            lists.append(BOARD_LIST)
        for list_id in lists:
            members[list_id].append((list_id, contact_id))
        if i >= self.created_from:
            changes.append((contact_id, "created", json.dumps(lists), None, modified))
        if not active:
            self.stats.deactivated += 1
            changes.append((contact_id, "deactivated", json.dumps(lists), None, modified))


def batches(pop: Population) -> Iterator[tuple[list, dict[int, list], list]]:
    """(contacts, memberships by list, changes) per BATCH contacts, in id order."""
    number = FIRST_ID
    for start in range(0, pop.members, BATCH):
        batch: tuple[list, dict[int, list], list] = ([], {s.id: [] for s in LISTS}, [])
        for i in range(start, min(start + BATCH, pop.members)):
            number += 1 if pop.rng.random() < 0.8 else 2
            pop.contact(i, number, *batch)
        pop.stats.last_id = number
        yield batch


def generate(path: str | Path, members: int = 5000, seed: int = 1) -> GenerateStats:
    """Write a fresh sandbox database at `path` (replacing any file there)."""
    if members < 0:
        raise ValueError("The number of contacts cannot be negative.")
    with bulk_load(path) as conn:
        pop = Population(members, seed)
        stats = pop.stats
        create_tables(conn)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO distribution_lists (id, name, folder, created, modified)"
            " VALUES (?, ?, ?, ?, ?)",
            [(s.id, s.name, s.folder, s.created, stamp(LAST_DAY, 7)) for s in LISTS],
        )
        for contacts, memberships, changes in prefetched(batches(pop), "idss-sandbox-generate"):
            conn.executemany(
                "INSERT INTO contacts (id, email, first_name, last_name, company, active,"
                " modified) VALUES (?, ?, ?, ?, ?, ?, ?)",
                contacts,
            )
            for rows in memberships.values():  # one ordered run per list: appends, no B-tree jumps
                conn.executemany("INSERT INTO list_contacts VALUES (?, ?)", rows)
                stats.memberships += len(rows)
            conn.executemany(
                "INSERT INTO changes (contact_id, kind, list_ids, old_email, changed)"
                " VALUES (?, ?, ?, ?, ?)",
                changes,
            )
            stats.contacts += len(contacts)
            stats.changes += len(changes)
        conn.executemany(
            "INSERT INTO sandbox_meta VALUES (?, ?)",
            [("seed", str(seed)), ("members", str(members))],
        )
        conn.execute("COMMIT")
        create_indexes_and_triggers(conn)
    return stats
