"""The sandbox's people: names, statuses, emails and addresses with the mess of a real iMIS.

One `Population` draws every member from one `random.Random(seed)` in ID order, so the same seed
gives the same rows. The rates are listed in `imis_data`'s docstring; the tests check them loosely.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from informz_console.sandbox import people
from informz_console.sandbox.people import (
    COMPANIES,
    PERSONAL_DOMAINS,
    EmailMess,
    EmailRates,
    Names,
    day_index,
    day_list,
    draw,
    pick,
)

__all__ = ["COMPANIES", "FIRST", "LAST", "PERSONAL_DOMAINS", "UNICODE_FIRST", "UNICODE_LAST"]

# iMIS draws from longer tables than the common ones
FIRST = [*people.FIRST, "Andrew", "Donna", "Joshua", "Michelle", "Kevin", "Carol", "Brian",
         "Amanda", "George"]  # fmt: skip
LAST = [
    *people.LAST[:-1], "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
    "Nelson", "O'Brien",
]  # fmt: skip
UNICODE_FIRST = ["José", "Zoë", "Łukasz", "Søren", "Renée", "Jürgen", "Ana María", "李", "Øyvind"]
UNICODE_LAST = ["Müller", "Núñez", "Dvořák", "Żółć", "García-Pérez", "Björk", "王", "Çelik"]
# for people.pick: (upper bounds of a uniform draw in [0, 1), values)
STATUSES = ([0.78, 0.80, 0.82, 0.83, 0.86, 0.97], ["A", "AF", "AR", "AL", "S", "I", "D"])
MEMBER_TYPES = ([0.55, 0.77, 0.85, 0.90, 0.95], ["M", "NM", "STU", "RET", "COMP", "HON"])
CHAPTERS = ([0.2, 0.4, 0.55, 0.7], ["EAST", "WEST", "NORTH", "SOUTH", ""])

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 6, 30)  # the population's "today": member data never depends on the clock
BOARD_SIZE = 15
BATCH = 20_000
# Name.EMAIL: missing 6%, invalid 2.4%, fixable 1.5%, shared 1.5%
NAME_EMAIL = EmailRates(0.05, 0.06, 0.07, 0.077, 0.084, 0.089, 0.096, 0.099, 0.1065, 0.114)


@dataclass
class GenerateStats:
    members: int = 0
    addresses: int = 0
    preferences: int = 0
    topics: int = 0
    activities: int = 0
    last_id: str = ""


class Population:
    """One pass over the members; each person appends rows to the per-table batches."""

    def __init__(self, members: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.members = members
        self.board = set(self.rng.sample(range(members), min(BOARD_SIZE, members)))
        self.days = day_list(FIRST_DAY, LAST_DAY)
        self.address_num = 0
        self.seqn = 0
        self.stats = GenerateStats()
        self.names = Names("member", FIRST, LAST, UNICODE_FIRST, UNICODE_LAST, COMPANIES)
        self.name_email = EmailMess(NAME_EMAIL)  # name_email(local, domain, r): Name.EMAIL

    def address_email(self, clean: str, r) -> str:
        x = r()
        if x < 0.02:
            return ""
        if x < 0.025:
            return clean.replace("@", " at ")
        if x < 0.03:
            return clean.replace("@", "@@")
        if x < 0.033:
            return f" {clean} "
        return clean

    def person(self, i: int, id_text: str, names: list, addresses: list, activities: list) -> None:
        r = self.rng.random
        status = pick(STATUSES, r())
        member_type = pick(MEMBER_TYPES, r())
        first, first_a, last, last_a = self.names.person(r)
        company, company_domain = ("", "")
        if r() < 0.7:
            company, company_domain = self.names.company(r)
        if member_type == "COMP" and company:
            first = first_a = last = last_a = ""
        local = f"{first_a}.{last_a}{id_text}" if first_a else f"info{id_text}"
        personal = f"{local}@{draw(PERSONAL_DOMAINS, r)}"
        email = self.name_email(local, personal.split("@")[1], r)
        chapter = pick(CHAPTERS, r())
        day = day_index(self.days, i, r(), self.members)
        added = f"{self.days[day]} {9 + int(r() * 9):02d}:{int(r() * 60):02d}:00"
        updated = f"{self.days[min(day + int(r() * 400), len(self.days) - 1)]} 12:00:00"
        names.append((id_text, status, member_type, first, last, company, email,
                      1 if r() < 0.04 else 0, chapter, added, updated))  # fmt: skip

        work_clean = f"{local}@{company_domain}" if company_domain else personal
        if r() < 0.65:
            work = email if (email and r() < 0.5) else self.address_email(work_clean, r)
            self._address(addresses, id_text, "Work", work, r() < 0.7)
            if r() < 0.01:
                self._address(addresses, id_text, "Work", f"alt.{work_clean}", True)
        if r() < 0.45:
            self._address(addresses, id_text, "Home", self.address_email(personal, r), r() < 0.4)
        if r() < 0.08:
            self._address(addresses, id_text, "Other", f"other.{personal}", r() < 0.1)

        if r() < 0.1:
            self._activity(activities, id_text, "MEETING", "ANNUAL", added, "Annual meeting")
        if i in self.board:
            self._activity(activities, id_text, "COMMITTEE", "BOARD", added, "Board of Directors")

    def _address(self, rows: list, id_text: str, purpose: str, email: str, preferred: bool):
        self.address_num += 1
        rows.append((self.address_num, id_text, purpose, email, 1 if preferred else 0))

    def _activity(self, rows: list, id_text: str, kind: str, product: str, when: str, text: str):
        self.seqn += 1
        rows.append((self.seqn, id_text, kind, product, when, when, text))


def batches(pop: Population) -> Iterator[tuple[list, list, list]]:
    number = 100_000
    for start in range(0, pop.members, BATCH):
        batch: tuple[list, list, list] = ([], [], [])
        for i in range(start, min(start + BATCH, pop.members)):
            number += 1 if pop.rng.random() < 0.7 else 2
            pop.person(i, str(number), *batch)
        pop.stats.last_id = str(number)
        yield batch
