"""The sandbox's people: names, statuses, emails and addresses with the mess of a real iMIS.

One `Population` draws every member from one `random.Random(seed)` in ID order, so the same seed
gives the same rows. The rates are listed in `imis_data`'s docstring; the tests check them loosely.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

# fmt: off
FIRST = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Chris", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kevin", "Carol", "Brian", "Amanda", "George",
]
LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "O'Brien",
]
COMPANIES = [
    "Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises",
    "Hooli", "Vandelay Industries", "Soylent", "Tyrell Corp", "Cyberdyne Systems", "Wonka Foods",
    "Pied Piper", "Massive Dynamic", "Oceanic Airlines", "Aperture Science",
]
# fmt: on
UNICODE_FIRST = ["José", "Zoë", "Łukasz", "Søren", "Renée", "Jürgen", "Ana María", "李", "Øyvind"]
UNICODE_LAST = ["Müller", "Núñez", "Dvořák", "Żółć", "García-Pérez", "Björk", "王", "Çelik"]
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com"]
# (upper bounds of a uniform draw in [0, 1), values): one more value than bounds, for the rest
STATUSES = ([0.78, 0.80, 0.82, 0.83, 0.86, 0.97], ["A", "AF", "AR", "AL", "S", "I", "D"])
MEMBER_TYPES = ([0.55, 0.77, 0.85, 0.90, 0.95], ["M", "NM", "STU", "RET", "COMP", "HON"])
CHAPTERS = ([0.2, 0.4, 0.55, 0.7], ["EAST", "WEST", "NORTH", "SOUTH", ""])

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 6, 30)  # the population's "today": member data never depends on the clock
BOARD_SIZE = 15
BATCH = 20_000


@dataclass
class GenerateStats:
    members: int = 0
    addresses: int = 0
    preferences: int = 0
    topics: int = 0
    activities: int = 0
    last_id: str = ""


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum()) or "member"


def _pick(table: tuple[list[float], list[str]], x: float) -> str:
    return table[1][bisect_right(table[0], x)]


class Population:
    """One pass over the members; each person appends rows to the per-table batches."""

    def __init__(self, members: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.members = members
        self.board = set(self.rng.sample(range(members), min(BOARD_SIZE, members)))
        span = (LAST_DAY - FIRST_DAY).days
        self.days = [(FIRST_DAY + timedelta(days=d)).isoformat() for d in range(span + 1)]
        self.recent: list[str] = []
        self.address_num = 0
        self.seqn = 0
        self.stats = GenerateStats()
        self.first = [(n, _ascii(n)) for n in FIRST]
        self.last = [(n, _ascii(n)) for n in LAST]
        self.ufirst = [(n, _ascii(n)) for n in UNICODE_FIRST]
        self.ulast = [(n, _ascii(n)) for n in UNICODE_LAST]
        self.companies = [(c, _ascii(c) + ".org") for c in COMPANIES]

    def name_email(self, local: str, domain: str, r) -> str | None:
        """Name.EMAIL with the mess at the documented rates."""
        x = r()
        clean = f"{local}@{domain}"
        if x >= 0.114:
            self.recent.append(clean)
            if len(self.recent) > 64:
                del self.recent[0]
            return clean
        if x < 0.05:
            return ""
        if x < 0.06:
            return None
        if x < 0.07:
            return f"{local}.{domain}"  # no @
        if x < 0.077:
            return f"{local[:3]} {local[3:]}@{domain}"  # space inside
        if x < 0.084:
            bad = (domain.split(".")[0], domain.replace(".", ".."), "-" + domain, domain[:-2])
            return f"{local}@{bad[int(r() * 4)]}"
        if x < 0.089:
            return f"{local}@@{domain}"
        if x < 0.096:
            return (f" {clean}", f"{clean} ", f"  {clean}  ")[int(r() * 3)]
        if x < 0.099:
            return clean + "."
        if not self.recent:
            return clean
        shared = self.recent[int(r() * len(self.recent))]
        if x < 0.1065:
            return shared
        at = shared.index("@")
        return shared[:at].title() + "@" + shared[at + 1 :].upper()

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
        status = _pick(STATUSES, r())
        member_type = _pick(MEMBER_TYPES, r())
        if r() < 0.005:
            first, first_a = self.ufirst[int(r() * len(self.ufirst))]
            last, last_a = self.ulast[int(r() * len(self.ulast))]
        else:
            first, first_a = self.first[int(r() * len(self.first))]
            last, last_a = self.last[int(r() * len(self.last))]
        company, company_domain = ("", "")
        if r() < 0.7:
            company, company_domain = self.companies[int(r() * len(self.companies))]
        if member_type == "COMP" and company:
            first = first_a = last = last_a = ""
        local = f"{first_a}.{last_a}{id_text}" if first_a else f"info{id_text}"
        personal = f"{local}@{PERSONAL_DOMAINS[int(r() * len(PERSONAL_DOMAINS))]}"
        email = self.name_email(local, personal.split("@")[1], r)
        chapter = _pick(CHAPTERS, r())
        day = min(int(len(self.days) * (i + r()) / self.members), len(self.days) - 1)
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
