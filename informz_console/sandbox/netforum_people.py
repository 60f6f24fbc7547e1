"""The netFORUM sandbox's customers: individuals and organizations with the mess of a real AMS.

One `Customers` draws every customer from one `random.Random(seed)` in record-number order, so the
same seed gives the same rows. Approximate rates (the tests check them loosely):

- CustomerType: Organization 6% (no first or last name; the company is the organization);
- Email missing 5% ('' mostly, NULL sometimes); invalid 2.4% (no '@', a space inside, a bad
  domain); fixable 1.5% ('x@@y.org', surrounding spaces, trailing dot); shared with another
  customer 1.5% (half of those in a different case); the rest clean and unique;
- DoNotEmail (netFORUM's "Do Not Email") 6%;
- MemberStatus: Active 70%, Grace Period 4%, Pending 2%, Expired 8%, Terminated 6%,
  Non-member 10% (no member type and no join date);
- Chapter East 25%, West 25%, North 15%, South 15%, none 20%; Board 15 customers;
  Conference2025 12%; Gala2024 8%; unicode names 0.5%;
- CustomerKey is a lowercase GUID (netFORUM's av_key); RecordNumber (cst_recno) starts at
  100001 with gaps; JoinDate grows with the record number up to 2025-06-30.
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
]
LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "O'Neil",
]
COMPANIES = [
    "Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises",
    "Hooli", "Vandelay Industries", "Soylent", "Tyrell Corp", "Cyberdyne Systems", "Wonka Foods",
    "Pied Piper", "Massive Dynamic", "Oceanic Airlines", "Aperture Science", "Smith & Sons",
]
# fmt: on
UNICODE_FIRST = ["José", "Zoë", "Łukasz", "Søren", "Renée", "Jürgen", "Ana María", "Øyvind"]
UNICODE_LAST = ["Müller", "Núñez", "Dvořák", "Żółć", "García-Pérez", "Björk", "Çelik"]
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "me.com"]
# (upper bounds of a uniform draw in [0, 1), values): one more value than bounds, for the rest
STATUSES = (
    [0.70, 0.74, 0.76, 0.84, 0.90],
    ["Active", "Grace Period", "Pending", "Expired", "Terminated", "Non-member"],
)
MEMBER_TYPES = ([0.60, 0.75, 0.85, 0.97], ["Regular", "Student", "Retired", "Associate", "Life"])
CHAPTERS = ([0.25, 0.50, 0.65, 0.80], ["East", "West", "North", "South", ""])

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 6, 30)  # the population's "today": customer data never depends on the clock
BOARD_SIZE = 15
BATCH = 20_000
FIRST_RECNO = 100_000

# the Customer row, in table order (see netforum_data.SCHEMA)
COLUMNS = (
    "RecordNumber", "CustomerKey", "CustomerType", "FirstName", "LastName", "Company", "Email",
    "DoNotEmail", "MemberStatus", "MemberType", "Chapter", "JoinDate", "Board", "Conference2025",
    "Gala2024",
)  # fmt: skip


@dataclass
class GenerateStats:
    customers: int = 0
    organizations: int = 0
    do_not_email: int = 0
    queries: int = 0
    last_record_number: int = 0


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum()) or "member"


def _pick(table: tuple[list[float], list[str]], x: float) -> str:
    return table[1][bisect_right(table[0], x)]


class Customers:
    """One pass over the customers, in RecordNumber order."""

    def __init__(self, count: int, seed: int) -> None:
        self.rng = random.Random(f"netforum:{seed}")
        self.count = count
        self.board = set(self.rng.sample(range(count), min(BOARD_SIZE, count)))
        span = (LAST_DAY - FIRST_DAY).days
        self.days = [(FIRST_DAY + timedelta(days=d)).isoformat() for d in range(span + 1)]
        self.recent: list[str] = []
        self.stats = GenerateStats()
        self.first = [(n, _ascii(n)) for n in FIRST]
        self.last = [(n, _ascii(n)) for n in LAST]
        self.ufirst = [(n, _ascii(n)) for n in UNICODE_FIRST]
        self.ulast = [(n, _ascii(n)) for n in UNICODE_LAST]
        self.companies = [(c, _ascii(c) + ".org") for c in COMPANIES]

    def email(self, local: str, domain: str, r) -> str | None:
        """The primary email (cst_eml_address_dn) with the mess at the documented rates."""
        x = r()
        clean = f"{local}@{domain}"
        if x >= 0.104:
            self.recent.append(clean)
            if len(self.recent) > 64:
                del self.recent[0]
            return clean
        if x < 0.04:
            return ""
        if x < 0.05:
            return None
        if x < 0.06:
            return f"{local}.{domain}"  # no @
        if x < 0.067:
            return f"{local[:3]} {local[3:]}@{domain}"  # space inside
        if x < 0.074:
            bad = (domain.split(".")[0], domain.replace(".", ".."), "-" + domain, domain[:-2])
            return f"{local}@{bad[int(r() * 4)]}"
        if x < 0.079:
            return f"{local}@@{domain}"
        if x < 0.086:
            return (f" {clean}", f"{clean} ", f"  {clean}  ")[int(r() * 3)]
        if x < 0.089:
            return clean + "."
        if not self.recent:
            return clean
        shared = self.recent[int(r() * len(self.recent))]
        if x < 0.0965:
            return shared
        at = shared.index("@")
        return shared[:at].title() + "@" + shared[at + 1 :].upper()

    def customer(self, i: int, recno: int) -> tuple:
        r = self.rng.random
        h = f"{self.rng.getrandbits(128):032x}"
        key = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"
        status = _pick(STATUSES, r())
        company, domain = self.companies[int(r() * len(self.companies))]
        if r() < 0.06:
            kind, first, last = "Organization", None, None
            local = f"info{recno}"
            member_type = None if status == "Non-member" else "Organizational"
            self.stats.organizations += 1
        else:
            kind = "Individual"
            if r() < 0.005:
                first, first_a = self.ufirst[int(r() * len(self.ufirst))]
                last, last_a = self.ulast[int(r() * len(self.ulast))]
            else:
                first, first_a = self.first[int(r() * len(self.first))]
                last, last_a = self.last[int(r() * len(self.last))]
            local = f"{first_a}.{last_a}{recno}"
            if r() < 0.35:
                company = None
                domain = PERSONAL_DOMAINS[int(r() * len(PERSONAL_DOMAINS))]
            member_type = None if status == "Non-member" else _pick(MEMBER_TYPES, r())
        email = self.email(local, domain, r)
        do_not_email = 1 if r() < 0.06 else 0
        self.stats.do_not_email += do_not_email
        chapter = _pick(CHAPTERS, r())
        day = min(int(len(self.days) * (i + r()) / self.count), len(self.days) - 1)
        joined = None if status == "Non-member" else self.days[day]
        board = 1 if i in self.board else 0
        conference = 1 if r() < 0.12 else 0
        gala = 1 if r() < 0.08 else 0
        return (recno, key, kind, first, last, company, email, do_not_email, status,
                member_type, chapter, joined, board, conference, gala)  # fmt: skip


def batches(customers: Customers) -> Iterator[list[tuple]]:
    recno = FIRST_RECNO
    rng = customers.rng.random
    for start in range(0, customers.count, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, customers.count)):
            recno += 1 if rng() < 0.8 else 2
            batch.append(customers.customer(i, recno))
        customers.stats.customers += len(batch)
        customers.stats.last_record_number = recno
        yield batch
