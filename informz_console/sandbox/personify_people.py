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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from informz_console.sandbox.people import (
    PERSONAL_DOMAINS,
    EmailMess,
    EmailRates,
    Names,
    day_index,
    day_list,
    draw,
    pick,
)

# fmt: off
PLACES = [
    ("Springfield", "IL"), ("Austin", "TX"), ("Denver", "CO"), ("Boston", "MA"),
    ("Portland", "OR"), ("Madison", "WI"), ("Raleigh", "NC"), ("Tucson", "AZ"),
    ("Albany", "NY"), ("Richmond", "VA"), ("Toronto", "ON"), ("", ""),
]
# fmt: on
# for people.pick: (upper bounds of a uniform draw in [0, 1), values)
STATUSES = ([0.84, 0.95, 0.98], ["ACTIVE", "INACTIVE", "SUSPENDED", "DECEASED"])
CLASSES = ([0.55, 0.80, 0.88, 0.94, 0.95], ["MEMBER", "NONMEMBER", "STUDENT", "RETIRED", "STAFF",
                                             "PROSPECT"])  # fmt: skip

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 6, 30)  # the population's "today": customer data never depends on the clock
BATCH = 20_000
# PrimaryEmailAddress: missing 6%, invalid 2.4%, fixable 1.5%, shared 1.5%
EMAIL = EmailRates(0.05, 0.06, 0.07, 0.077, 0.084, 0.089, 0.096, 0.099, 0.1065, 0.114)

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


class Customers:
    """Rows of `Customer` in key order, `count` of them in all (sub-customers included)."""

    def __init__(self, count: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = count
        self.stats = GenerateStats()
        self.days = day_list(FIRST_DAY, LAST_DAY)
        self.names = Names("customer")
        self._email = EmailMess(EMAIL)

    def email(self, local: str, domain: str) -> str | None:
        """PrimaryEmailAddress with the mess at the documented rates."""
        return self._email(local, domain, self.rng.random)

    def flags(self) -> tuple[int, int, int, int]:
        """(AllowEmail, AllowSolicitation, DoNotSolicitByEmail, BadEmailFlag) as stored."""
        r = self.rng.random
        if r() < 0.04:  # no solicitation: the stored Allow Email is mostly left on
            allow_email, allow_solicitation = (1 if r() < 0.7 else 0), 0
        else:
            allow_email, allow_solicitation = (0 if r() < 0.07 else 1), 1
        return (allow_email, allow_solicitation, 1 if r() < 0.01 else 0, 1 if r() < 0.005 else 0)

    def _name(self) -> tuple[str, str, str, str]:
        return self.names.person(self.rng.random)

    def _row(self, master: str, sub: int, kind: str, names: tuple, company: str, email,
             customer_class: str, day: int) -> tuple:  # fmt: skip
        r = self.rng.random
        first, last = names
        label = f"{first} {last}".strip() if first or last else company
        city, state = draw(PLACES, r)
        modified = self.days[min(day + int(r() * 400), len(self.days) - 1)]
        at = f"{8 + int(r() * 10):02d}:{int(r() * 60):02d}:00"
        return (
            master, sub, kind, first, last, label, company or None, email, *self.flags(),
            pick(STATUSES, r()), customer_class, city or None, state or None,
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
            day = day_index(self.days, made, r(), self.count)
            group: list[tuple] = []
            if r() < 0.05:  # a company and its contacts
                company, domain = self.names.company(r)
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
                domain = draw(PERSONAL_DOMAINS, r)
                local = f"{first_a}.{last_a}{number}"
                cls = pick(CLASSES, r())
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
