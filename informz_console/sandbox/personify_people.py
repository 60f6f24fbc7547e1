"""The sandbox's Personify customers, with the mess a real Personify360 database has.

One `Customers` draws every row from one `random.Random(seed)` in key order, so the same seed
gives the same rows. Rates (approximate, checked loosely by the tests):

- records: companies 5% of master customers ("C", no first/last name), each with 1 to 3
  sub-customers (SubCustomerId 1..3: the company's contacts, a quarter of them sharing the
  company's info@ address); individuals with a sub-customer 0.5%;
- PrimaryEmailAddress missing 6% ('' mostly, NULL sometimes); invalid 2.4% (no '@', a space
  inside, a bad domain); fixable 1.5% ('x@@y.org', surrounding spaces, trailing dot); shared with
  another customer 1.5% (half of those in a different case); the rest clean and unique;
- AllowSolicitation false 4%, and most of those still hold AllowEmail = true (seed 001: Allow
  Solicitation = false forces Allow Email = false, whatever the stored flag says); AllowEmail
  false 7% of the rest; DoNotSolicitByEmail true 1%; BadEmailFlag 0.5%;
- CustomerStatusCode ACTIVE 84%, INACTIVE 11%, SUSPENDED 3%, DECEASED 2%;
- unicode names 0.5%; MasterCustomerId is 12 digits, zero padded, from 000000100001 with gaps.
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
    "Pied Piper", "Massive Dynamic", "Oceanic Airlines", "Aperture Science",
]
PLACES = [
    ("Springfield", "IL"), ("Austin", "TX"), ("Denver", "CO"), ("Boston", "MA"),
    ("Portland", "OR"), ("Madison", "WI"), ("Raleigh", "NC"), ("Tucson", "AZ"),
    ("Albany", "NY"), ("Richmond", "VA"), ("Toronto", "ON"), ("", ""),
]
# fmt: on
UNICODE_FIRST = ["José", "Zoë", "Łukasz", "Søren", "Renée", "Jürgen", "Ana María", "Øyvind"]
UNICODE_LAST = ["Müller", "Núñez", "Dvořák", "Żółć", "García-Pérez", "Björk", "Çelik"]
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com"]
# (upper bounds of a uniform draw in [0, 1), values): one more value than bounds, for the rest
STATUSES = ([0.84, 0.95, 0.98], ["ACTIVE", "INACTIVE", "SUSPENDED", "DECEASED"])
CLASSES = ([0.55, 0.80, 0.88, 0.94, 0.95], ["MEMBER", "NONMEMBER", "STUDENT", "RETIRED", "STAFF",
                                             "PROSPECT"])  # fmt: skip

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 6, 30)  # the population's "today": customer data never depends on the clock
BATCH = 20_000

# the Customer columns, in table order, that a row tuple fills
COLUMNS = (
    "MasterCustomerId", "SubCustomerId", "RecordType", "FirstName", "LastName", "LabelName",
    "CompanyName", "PrimaryEmailAddress", "AllowEmail", "AllowSolicitation",
    "DoNotSolicitByEmail", "BadEmailFlag", "CustomerStatusCode", "CustomerClassCode", "City",
    "State", "JoinDate", "ModifiedOn",
)  # fmt: skip


@dataclass
class GenerateStats:
    customers: int = 0
    companies: int = 0
    sub_customers: int = 0
    lists: int = 0
    list_members: int = 0
    last_master_id: str = ""


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum()) or "customer"


def _pick(table: tuple[list[float], list[str]], x: float) -> str:
    return table[1][bisect_right(table[0], x)]


class Customers:
    """Rows of `Customer` in key order, `count` of them in all (sub-customers included)."""

    def __init__(self, count: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = count
        self.stats = GenerateStats()
        span = (LAST_DAY - FIRST_DAY).days
        self.days = [(FIRST_DAY + timedelta(days=d)).isoformat() for d in range(span + 1)]
        self.recent: list[str] = []
        self.first = [(n, _ascii(n)) for n in FIRST]
        self.last = [(n, _ascii(n)) for n in LAST]
        self.ufirst = [(n, _ascii(n)) for n in UNICODE_FIRST]
        self.ulast = [(n, _ascii(n)) for n in UNICODE_LAST]
        self.companies = [(c, _ascii(c) + ".org") for c in COMPANIES]

    def email(self, local: str, domain: str) -> str | None:
        """PrimaryEmailAddress with the mess at the documented rates."""
        r = self.rng.random
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

    def flags(self) -> tuple[int, int, int, int]:
        """(AllowEmail, AllowSolicitation, DoNotSolicitByEmail, BadEmailFlag) as stored."""
        r = self.rng.random
        if r() < 0.04:  # no solicitation: the stored Allow Email is mostly left on
            allow_email, allow_solicitation = (1 if r() < 0.7 else 0), 0
        else:
            allow_email, allow_solicitation = (0 if r() < 0.07 else 1), 1
        return (allow_email, allow_solicitation, 1 if r() < 0.01 else 0, 1 if r() < 0.005 else 0)

    def _name(self) -> tuple[str, str, str, str]:
        r = self.rng.random
        if r() < 0.005:
            first, first_a = self.ufirst[int(r() * len(self.ufirst))]
            last, last_a = self.ulast[int(r() * len(self.ulast))]
        else:
            first, first_a = self.first[int(r() * len(self.first))]
            last, last_a = self.last[int(r() * len(self.last))]
        return first, first_a, last, last_a

    def _row(self, master: str, sub: int, kind: str, names: tuple, company: str, email,
             customer_class: str, day: int) -> tuple:  # fmt: skip
        r = self.rng.random
        first, last = names
        label = f"{first} {last}".strip() if first or last else company
        city, state = PLACES[int(r() * len(PLACES))]
        modified = self.days[min(day + int(r() * 400), len(self.days) - 1)]
        at = f"{8 + int(r() * 10):02d}:{int(r() * 60):02d}:00"
        return (
            master, sub, kind, first, last, label, company or None, email, *self.flags(),
            _pick(STATUSES, r()), customer_class, city or None, state or None,
            f"{self.days[day]} 00:00:00", f"{modified} {at}",
        )  # fmt: skip

    def rows(self) -> Iterator[list[tuple]]:
        """Batches of Customer rows (COLUMNS order), in (MasterCustomerId, SubCustomerId) order."""
        r = self.rng.random
        number = 100_000
        made = 0
        batch: list[tuple] = []
        while made < self.count:
            number += 1 if r() < 0.7 else 2
            master = f"{number:012d}"
            day = min(int(len(self.days) * (made + r()) / self.count), len(self.days) - 1)
            group: list[tuple] = []
            if r() < 0.05:  # a company and its contacts
                company, domain = self.companies[int(r() * len(self.companies))]
                company = f"{company} {number % 1000:03d}"
                info = f"info{number}@{domain}"
                email = self.email(f"info{number}", domain)
                group.append(self._row(master, 0, "C", (None, None), company, email, "CORPORATE",
                                       day))  # fmt: skip
                self.stats.companies += 1
                for sub in range(1, 2 + int(r() * 3)):
                    first, first_a, last, last_a = self._name()
                    local = f"{first_a}.{last_a}{number}"
                    email = info if r() < 0.25 else self.email(local, domain)
                    group.append(self._row(master, sub, "I", (first, last), company, email,
                                           "CONTACT", day))  # fmt: skip
            else:
                first, first_a, last, last_a = self._name()
                domain = PERSONAL_DOMAINS[int(r() * len(PERSONAL_DOMAINS))]
                local = f"{first_a}.{last_a}{number}"
                cls = _pick(CLASSES, r())
                group.append(self._row(master, 0, "I", (first, last), "", self.email(local, domain),
                                       cls, day))  # fmt: skip
                if r() < 0.005:  # a household member kept as a sub-customer
                    other, other_a, _, _ = self._name()
                    email = self.email(f"{other_a}.{last_a}{number}", domain)
                    group.append(self._row(master, 1, "I", (other, last), "", email, cls, day))
            for row in group[: self.count - made]:
                batch.append(row)
                made += 1
                self.stats.sub_customers += row[1] > 0
            self.stats.last_master_id = master
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch
        self.stats.customers = made
